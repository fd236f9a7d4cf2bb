// The high-traffic alert of `hostwatch top`, driven by a manual clock: raised exactly at the second
// the 2-minute average goes above the threshold, recovered exactly when it goes back below, and no
// flapping while the average sits on the threshold.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { alertLine, TrafficAlert, type AlertEvent } from '../../src/top/alert.js';

const T0 = 1_700_000_000_000; // a whole second

/** Runs `seconds` seconds: `rate(s)` hits during second s, evaluated at its end; returns the events with their second. */
function run(alert: TrafficAlert, clock: ManualClock, seconds: number, rate: (s: number) => number, from = 0) {
  const events: (AlertEvent & { second: number })[] = [];
  for (let s = from; s < from + seconds; s++) {
    alert.record(rate(s), clock.now());
    const e = alert.evaluate(clock.now());
    if (e) events.push({ ...e, second: s });
    clock.advance(1000);
  }
  return events;
}

describe('high-traffic alert', () => {
  it('is raised exactly at the second the 2-minute average crosses the threshold', () => {
    const clock = new ManualClock(T0);
    const alert = new TrafficAlert({ windowMs: 120_000, threshold: 10 });
    // 15 hits/s from second 0: the average is 15 * (s + 1) / 120, above 10 from s + 1 > 80, so s = 80.
    const events = run(alert, clock, 200, () => 15);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'raised', second: 80, value: (15 * 81) / 120, at: T0 + 80_000 });
    expect(alert.active).toBe(true);
  });

  it('recovers exactly when the average drops back below the threshold', () => {
    const clock = new ManualClock(T0);
    const alert = new TrafficAlert({ windowMs: 120_000, threshold: 10 });
    run(alert, clock, 120, () => 20); // average 20
    // 0 hits from second 120: the average is 20 * (120 - k) / 120 after k quiet seconds; below 10 when k > 60.
    const events = run(alert, clock, 100, () => 0, 120);
    expect(events).toEqual([{ kind: 'recovered', value: (20 * 59) / 120, at: T0 + 180_000, second: 180 }]);
    expect(alert.active).toBe(false);
  });

  it('does not flap while the average sits exactly on the threshold', () => {
    const clock = new ManualClock(T0);
    const alert = new TrafficAlert({ windowMs: 120_000, threshold: 10 });
    // Exactly 10/s: the average reaches 10 and stays there; never above, so never raised.
    expect(run(alert, clock, 300, () => 10)).toEqual([]);
    // Above, then exactly on the threshold for minutes: raised once, never recovered.
    const up = run(alert, clock, 1, () => 130, 300);
    expect(up.map((e) => e.kind)).toEqual(['raised']);
    // Second 301 onwards at 10/s: the 130 stays in the window for 119 s (average 11), then 10 flat.
    const flat = run(alert, clock, 400, () => 10, 301);
    expect(flat).toEqual([]);
    expect(alert.active).toBe(true);
    // One hit less per second: below, recovered at once.
    expect(run(alert, clock, 1, () => 0, 701).map((e) => e.kind)).toEqual(['recovered']);
  });

  it('alternating traffic raises and recovers once per crossing, with the value of the window', () => {
    const clock = new ManualClock(T0);
    const alert = new TrafficAlert({ windowMs: 4000, threshold: 5 });
    const rates = [8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 8, 8, 8];
    const events = run(alert, clock, rates.length, (s) => rates[s]);
    // Averages over 4 s: 2, 4, 6 (raised at 2), 8, 8, 6, 4 (recovered at 6), 2, 0, 0, 2, 4, 6 (raised at 12).
    expect(events.map((e) => [e.kind, e.second, e.value])).toEqual([
      ['raised', 2, 6],
      ['recovered', 6, 4],
      ['raised', 12, 6],
    ]);
  });

  it('prints the lines of the exercise', () => {
    const at = Date.UTC(2026, 10, 30, 9, 0, 5);
    const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    expect(alertLine({ kind: 'raised', value: 12.345, at }, time)).toBe(
      'High traffic generated an alert - hits = 12.35, triggered at 09:00:05',
    );
    expect(alertLine({ kind: 'recovered', value: 9, at }, time)).toBe('High traffic alert recovered - hits = 9, recovered at 09:00:05');
  });
});
