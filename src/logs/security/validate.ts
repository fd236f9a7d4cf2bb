// Shape checks for checkpointed handler state: restore() throws on a state it cannot use (an older
// format, a hand-edited file), and the pipeline then moves the checkpoint aside and starts afresh,
// instead of rendering garbage.

export function counterRecord(v: unknown, what: string): Record<string, number> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: not an object`);
  for (const [k, n] of Object.entries(v)) {
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new Error(`${what}.${k}: not a counter`);
  }
  return v as Record<string, number>;
}

export function arrayOf(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: not an array`);
  return v;
}

/** Each entry of a detector snapshot: [source string, ...] with number arrays where expected. */
export function sourceEntries(v: unknown, what: string, numberArrayAt: number[]): void {
  const sources = (v as { sources?: unknown } | null)?.sources;
  for (const e of arrayOf(sources, `${what}.sources`)) {
    const entry = arrayOf(e, `${what}.sources[]`);
    if (typeof entry[0] !== 'string') throw new Error(`${what}.sources[]: no source`);
    for (const i of numberArrayAt) {
      if (!arrayOf(entry[i], `${what}.sources[]`).every((x) => typeof x === 'number')) throw new Error(`${what}.sources[]: bad times`);
    }
  }
}
