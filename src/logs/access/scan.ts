// Byte scans of a line, bounded by its end: the read buffer goes on with the next lines.

/** Whether b[i, end) starts with `word`. */
export function startsWith(b: Uint8Array, i: number, end: number, word: Uint8Array): boolean {
  if (end - i < word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}

/** The first index of byte c in b[from, end), or -1. */
export function indexOfByte(b: Uint8Array, c: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === c) return i;
  return -1;
}

/** The first index of `word` (not empty) in b[from, end), or -1. */
export function indexOf(b: Uint8Array, word: Uint8Array, from: number, end: number): number {
  for (let i = indexOfByte(b, word[0], from, end); i >= 0; i = indexOfByte(b, word[0], i + 1, end)) {
    if (startsWith(b, i, end, word)) return i;
  }
  return -1;
}

/** Whether b[s, e) is a lone "-", which nginx and Apache write for "no value". */
export function isDash(b: Uint8Array, s: number, e: number): boolean {
  return e - s === 1 && b[s] === 0x2d;
}
