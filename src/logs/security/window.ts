// The "currently over the threshold" gauges of brute-force and port-scan detection: both keep, per
// source, the event times of its last `threshold` events (failures, or first hits of distinct ports).

/** How many sources have at least `threshold` event times at or after `now - window`. */
export function sourcesOverThreshold(
  sources: readonly (readonly [unknown, unknown, unknown, readonly number[]])[],
  now: number,
  threshold: number,
  window: number,
): number {
  const horizon = now - window;
  let n = 0;
  for (const [, , , times] of sources) {
    if (times.length < threshold) continue;
    let inWindow = 0;
    for (const t of times) if (t >= horizon) inWindow++;
    if (inWindow >= threshold) n++;
  }
  return n;
}
