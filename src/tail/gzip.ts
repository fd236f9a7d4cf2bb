// Rotated files compressed by logrotate (access.log.2.gz), read through zlib as streams: a 64 KiB
// compressed read and a 64 KiB inflated chunk at a time, whatever the size of the file. Offsets in
// a compressed file are offsets in its content; reading on from one inflates from the start and
// skips up to it (a .gz has no index), which only happens after a restart in the middle of one.
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FINGERPRINT_BYTES } from './identity.js';

const CHUNK = 64 * 1024;

/** The compressed bytes by positional reads (a FileHandle read stream would close the handle when destroyed). */
async function* compressed(fh: FileHandle): AsyncGenerator<Buffer> {
  for (let pos = 0; ;) {
    const buf = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

function inflate(fh: FileHandle) {
  const src = Readable.from(compressed(fh), { objectMode: false });
  const gunzip = createGunzip({ chunkSize: CHUNK });
  src.on('error', (err) => gunzip.destroy(err));
  src.pipe(gunzip);
  return {
    chunks: gunzip as AsyncIterable<Buffer>,
    close: () => {
      src.unpipe(gunzip);
      src.destroy();
      gunzip.destroy();
    },
  };
}

/**
 * The first bytes of the content (up to FINGERPRINT_BYTES), its fingerprint; undefined when they
 * cannot be inflated (a file still being written by gzip, or not gzip at all).
 */
export async function gzipHead(fh: FileHandle): Promise<Buffer | undefined> {
  const z = inflate(fh);
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of z.chunks) {
      parts.push(chunk);
      n += chunk.length;
      if (n >= FINGERPRINT_BYTES) break;
    }
  } catch {
    if (n < FINGERPRINT_BYTES) return undefined;
  } finally {
    z.close();
  }
  return Buffer.concat(parts).subarray(0, FINGERPRINT_BYTES);
}

/**
 * The size of a .gz's content modulo 2^32, from its trailer (ISIZE, RFC 1952), without inflating
 * it: that of its last member only when it has several. Undefined when too short to have one.
 */
export async function gzipContentSize(fh: FileHandle, fileSize: number): Promise<number | undefined> {
  if (fileSize < 18) return undefined; // a 10-byte header, an empty deflate block and the 8-byte trailer
  const buf = Buffer.alloc(4);
  const { bytesRead } = await fh.read(buf, 0, 4, fileSize - 4);
  return bytesRead === 4 ? buf.readUInt32LE(0) : undefined;
}

/**
 * Hands the content of a .gz from `offset` on to `take`, chunk by chunk (each chunk starts where
 * the previous one ended). Resolves true at the end of the content, false when `stop()` said so;
 * rejects when the file is not valid gzip (or ends early).
 */
export async function readGzipFrom(fh: FileHandle, offset: number, take: (chunk: Buffer) => void, stop: () => boolean): Promise<boolean> {
  const z = inflate(fh);
  let pos = 0;
  try {
    for await (const chunk of z.chunks) {
      const end = pos + chunk.length;
      if (end > offset) take(pos >= offset ? chunk : chunk.subarray(offset - pos));
      pos = end;
      if (stop()) return false;
    }
    return true;
  } finally {
    z.close();
  }
}
