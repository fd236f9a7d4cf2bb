// Which file is which. A file is identified by (dev, ino) plus its fingerprint, its first bytes (up
// to FINGERPRINT_BYTES): the same inode with other first bytes means the inode was reused or the
// file was rewritten in place, so (dev, ino) alone is never trusted.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const FINGERPRINT_BYTES = 256;

/** (dev, ino) as a map key. */
export const identityKey = (st: { dev: bigint; ino: bigint }) => `${st.dev}:${st.ino}`;

/** The first bytes of a file, its fingerprint (up to FINGERPRINT_BYTES). */
export async function readHead(fh: FileHandle, size: number): Promise<Buffer> {
  const fp = Buffer.alloc(Math.min(FINGERPRINT_BYTES, size));
  if (fp.length === 0) return fp;
  const { bytesRead } = await fh.read(fp, 0, fp.length, 0);
  return fp.subarray(0, bytesRead);
}

/** Whether the file still starts with the fingerprint taken earlier. */
export async function startsWith(fh: FileHandle, fp: Buffer): Promise<boolean> {
  if (fp.length === 0) return true;
  const head = Buffer.alloc(fp.length);
  const { bytesRead } = await fh.read(head, 0, fp.length, 0);
  return bytesRead === fp.length && head.equals(fp);
}

/** Whether first bytes already read (`head`) start with `fp`: startsWith() without the read. */
export const headStartsWith = (head: Buffer, fp: Buffer): boolean => head.length >= fp.length && head.subarray(0, fp.length).equals(fp);

/**
 * A finished file's fingerprint as remembered in the checkpoint: its length and a digest, 24
 * characters instead of up to 344 (a long rotation chain is remembered file by file).
 */
export interface HeadDigest {
  head: number;
  sum: string;
}

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest().subarray(0, 16).toString('base64');

export function digestHead(fp: Buffer): HeadDigest {
  return { head: fp.length, sum: digest(fp) };
}

/** Whether `head` (a file's first bytes) starts with the fingerprint `d` is a digest of. */
export function matchesDigest(head: Buffer, d: HeadDigest): boolean {
  return d.head > 0 && head.length >= d.head && digest(head.subarray(0, d.head)) === d.sum;
}
