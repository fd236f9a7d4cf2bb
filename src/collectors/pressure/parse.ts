// Pressure stall information, /proc/pressure/{cpu,io,memory,irq}:
//   some avg10=0.00 avg60=0.00 avg300=0.00 total=12345
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
// total is cumulative stall time in microseconds. cpu has a "full" line only since 5.13 (always 0
// at system level), irq (6.1+) has only "full".

export interface Pressure {
  /** Seconds during which at least one task was stalled on the resource. */
  someSeconds?: number;
  /** Seconds during which all non-idle tasks were stalled at once. */
  fullSeconds?: number;
}

export function parsePressure(text: string): Pressure {
  const out: Pressure = {};
  for (const line of text.split('\n')) {
    const kind = line.startsWith('some ') ? 'someSeconds' : line.startsWith('full ') ? 'fullSeconds' : undefined;
    if (!kind) continue;
    const at = line.indexOf('total=');
    if (at < 0) continue;
    const us = Number(line.slice(at + 6).trim());
    if (Number.isFinite(us)) out[kind] = us / 1e6;
  }
  if (out.someSeconds === undefined && out.fullSeconds === undefined) {
    throw new Error(`unexpected pressure file: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return out;
}
