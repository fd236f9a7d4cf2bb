// Path patterns of a log: a literal path, or a glob whose wildcards (*, ?, [...]) are in the file
// name only (/var/log/nginx/*access.log). Matching is done here on a directory listing rather than
// with node's fs.glob, which is experimental in Node 20; a per-directory listing is also exactly
// what the tailer needs to watch (one fs.watch per directory).
import path from 'node:path';
import { globMatcher, hasWildcard } from '../core/glob.js';

/** Rotated files compressed by logrotate & co: never tailed (binary, and a copy of lines already read). */
const COMPRESSED = /\.(gz|tgz|bz2|xz|lz4|lzma|lz|zst|zip|7z|Z)$/;

export function isCompressed(name: string): boolean {
  return COMPRESSED.test(name);
}

export interface FilePattern {
  /** The pattern as configured. */
  source: string;
  /** Absolute directory whose entries are matched. */
  dir: string;
  /** Whether a file name of `dir` belongs to the pattern. */
  matches(name: string): boolean;
  /** The file name when the pattern has no wildcard: stat it, no need to list the directory. */
  literal?: string;
}

/** Compiles a configured path; throws when a wildcard is in a directory component. */
export function compilePattern(source: string): FilePattern {
  const abs = path.resolve(source);
  const dir = path.dirname(abs);
  const base = path.basename(abs);
  if (hasWildcard(dir)) {
    throw new Error(`${source}: wildcards are supported in the file name only, not in directories`);
  }
  if (!hasWildcard(base)) {
    return { source, dir, literal: isCompressed(base) ? undefined : base, matches: (name) => name === base && !isCompressed(name) };
  }
  // Hidden files only match a pattern that starts with a dot, as in a shell.
  const glob = globMatcher(base);
  return { source, dir, matches: (name) => glob(name) && !isCompressed(name) };
}
