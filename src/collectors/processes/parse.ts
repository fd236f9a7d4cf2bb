// Process and thread counts: processes are the numeric entries of /proc (one per thread group),
// threads are the total of /proc/loadavg's "runnable/total" field (kernel scheduling entities).

/** Counts the entries of a /proc listing that are PIDs. */
export function countPids(entries: readonly string[]): number {
  let n = 0;
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^\d+$/.test(e)) n++;
  }
  return n;
}
