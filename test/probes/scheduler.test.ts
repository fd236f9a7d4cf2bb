// The probe scheduler on a manual clock: first runs spread over the interval, one run per interval,
// never two runs of one probe at once, missed beats skipped (no burst), at most max_concurrency probes
// in flight (the others wait in order), and stop() aborting what runs.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { ProbeResult } from '../../src/probes/result.js';
import { ProbeScheduler, Slots, type SchedulableProbe } from '../../src/probes/scheduler.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** A probe whose runs end when the test says so. */
class FakeProbe implements SchedulableProbe {
  readonly starts: number[] = [];
  private pending: ((r: ProbeResult) => void)[] = [];
  aborted = 0;
  constructor(
    readonly name: string,
    readonly interval: number,
    private readonly clock: ManualClock,
    /** Runs end by themselves (else finish() ends them). */
    private readonly instant = true,
  ) {}
  get running(): number {
    return this.pending.length;
  }
  run(stop: AbortSignal): Promise<ProbeResult> {
    this.starts.push(this.clock.now());
    const result: ProbeResult = { success: true, phases: {}, duration: 0, at: this.clock.now() };
    if (this.instant) return Promise.resolve(result);
    return new Promise((resolve) => {
      this.pending.push(resolve);
      stop.addEventListener('abort', () => {
        this.aborted++;
        resolve({ ...result, success: false, failure: 'timeout' });
      });
    });
  }
  finish(): void {
    this.pending.shift()?.({ success: true, phases: {}, duration: 0, at: this.clock.now() });
  }
}

/** Moves the clock in steps, letting the runs started by each step begin before the next one. */
async function advance(clock: ManualClock, ms: number, step = 50): Promise<void> {
  clock.advance(0);
  await flush();
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await flush();
  }
}

describe('probe scheduler', () => {
  it('staggers the first runs (within the interval), then runs each probe once per interval', async () => {
    const clock = new ManualClock(0);
    const probes = ['a', 'b', 'c', 'd'].map((n) => new FakeProbe(n, 1000, clock));
    const results: string[] = [];
    const s = new ProbeScheduler(probes, { maxConcurrency: 10, clock, onResult: (p) => results.push(p.name) });
    s.start();
    await advance(clock, 3000);
    expect(probes.map((p) => p.starts)).toEqual([
      [0, 1000, 2000, 3000],
      [100, 1100, 2100],
      [200, 1200, 2200],
      [300, 1300, 2300],
    ]);
    expect(results.length).toBe(13);
    await s.stop();
  });

  it('many probes: the first runs are spread evenly over the interval', async () => {
    const clock = new ManualClock(0);
    const probes = Array.from({ length: 40 }, (_, i) => new FakeProbe(`p${i}`, 1000, clock));
    const s = new ProbeScheduler(probes, { maxConcurrency: 100, clock, onResult: () => {} });
    s.start();
    await advance(clock, 2000, 25);
    expect(probes.map((p) => p.starts[0])).toEqual(probes.map((_, i) => i * 25));
    expect(probes.every((p) => p.starts[1] === p.starts[0] + 1000)).toBe(true);
    await s.stop();
  });

  it('never runs a probe twice at once; a run that overran its interval skips the missed beats', async () => {
    const clock = new ManualClock(0);
    const slow = new FakeProbe('slow', 1000, clock, false);
    const skipped: number[] = [];
    const s = new ProbeScheduler([slow], { maxConcurrency: 4, clock, onResult: () => {}, onSkipped: (_p, beats) => skipped.push(beats) });
    s.start();
    await advance(clock, 10);
    expect(slow.starts).toEqual([0]);
    await advance(clock, 3490); // t = 3500: the run is still going
    expect(slow.starts).toEqual([0]);
    expect(slow.running).toBe(1);
    slow.finish();
    await flush();
    // Due at 1000, 2000, 3000 (missed) and next at 4000, not at once.
    await advance(clock, 400);
    expect(slow.starts).toEqual([0]);
    await advance(clock, 200);
    expect(slow.starts).toEqual([0, 4000]);
    expect(skipped).toEqual([3]);
    slow.finish();
    await advance(clock, 1000);
    expect(slow.starts).toEqual([0, 4000, 5000]);
    expect(skipped).toEqual([3]);
    await s.stop();
  });

  it('runs at most max_concurrency probes at once; the others wait for a slot, in order', async () => {
    const clock = new ManualClock(0);
    const probes = ['a', 'b', 'c', 'd', 'e'].map((n) => new FakeProbe(n, 10_000, clock, false));
    const s = new ProbeScheduler(probes, { maxConcurrency: 2, clock, onResult: () => {} });
    s.start();
    await advance(clock, 9000); // every probe is due by now
    expect(probes.map((p) => p.running)).toEqual([1, 1, 0, 0, 0]);
    expect(s.queued).toBe(3);
    probes[1].finish();
    await flush();
    expect(probes.map((p) => p.running)).toEqual([1, 0, 1, 0, 0]);
    probes[0].finish();
    probes[2].finish();
    await flush();
    expect(probes.map((p) => p.running)).toEqual([0, 0, 0, 1, 1]);
    expect(s.queued).toBe(0);
    await s.stop();
  });

  it('stop() aborts the runs in flight, reports none of them, and schedules nothing more', async () => {
    const clock = new ManualClock(0);
    const p = new FakeProbe('p', 1000, clock, false);
    const results: ProbeResult[] = [];
    const s = new ProbeScheduler([p], { maxConcurrency: 1, clock, onResult: (_p, r) => results.push(r) });
    s.start();
    await advance(clock, 10);
    await s.stop();
    expect(p.aborted).toBe(1);
    expect(results).toEqual([]);
    await advance(clock, 5000);
    expect(p.starts).toEqual([0]);
  });
});

describe('slots', () => {
  it('a release frees one slot once, however often it is called', async () => {
    const slots = new Slots(1);
    const release = await slots.acquire();
    let second = false;
    const waiting = slots.acquire().then((r) => {
      second = true;
      return r;
    });
    await flush();
    expect(second).toBe(false);
    release();
    release();
    const r2 = await waiting;
    expect(second).toBe(true);
    let third = false;
    void slots.acquire().then(() => (third = true));
    await flush();
    expect(third).toBe(false);
    r2();
    await flush();
    expect(third).toBe(true);
  });
});
