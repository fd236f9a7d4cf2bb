// Runs probes on their own schedules in the background, never on the scrape path: each probe every
// `interval`, the first runs staggered (200 probes at the same interval do not all start at the same
// instant, and each keeps its offset afterwards), at most `maxConcurrency` probes at once (the others wait for a slot, in order). A probe
// is never run twice at the same time: its next run is due one interval after the previous was due;
// a run that overran its slot (a long timeout, a wait for a free slot) skips the beats it missed
// rather than bursting to catch up.
import { setMaxListeners } from 'node:events';
import type { Clock } from '../core/clock.js';
import type { ProbeResult } from './result.js';

export interface SchedulableProbe {
  readonly name: string;
  readonly interval: number;
  run(stop: AbortSignal): Promise<ProbeResult>;
}

const STAGGER_MS = 100;
const MAX_SPREAD_MS = 10_000;

/** A counting semaphore with a FIFO queue. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

export interface SchedulerOptions {
  maxConcurrency: number;
  clock: Clock;
  onResult(probe: SchedulableProbe, result: ProbeResult): void;
  /** `beats` runs of the probe were skipped: its last run (or its wait for a slot) overran them. */
  onSkipped?(probe: SchedulableProbe, beats: number): void;
}

export class ProbeScheduler {
  private readonly slots: Slots;
  private readonly timers = new Map<string, unknown>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly probes: readonly SchedulableProbe[],
    private readonly opts: SchedulerOptions,
  ) {
    this.slots = new Slots(opts.maxConcurrency);
    // Every run in flight listens to it (max_concurrency of them), which is no leak.
    setMaxListeners(0, this.abort.signal);
  }

  /** Probes waiting for a free slot right now. */
  get queued(): number {
    return this.slots.queued;
  }

  start(): void {
    const now = this.opts.clock.now();
    const n = this.probes.length;
    // 100 ms apart at most, so that the first results come soon after start; closer when there are
    // many, so that the offsets fit in the interval (and 10 s).
    this.probes.forEach((p, i) => this.schedule(p, now + Math.floor(i * Math.min(STAGGER_MS, Math.min(p.interval, MAX_SPREAD_MS) / n))));
  }

  private schedule(p: SchedulableProbe, due: number): void {
    if (this.stopped) return;
    const delay = Math.max(0, due - this.opts.clock.now());
    this.timers.set(
      p.name,
      this.opts.clock.setTimeout(() => this.fire(p, due), delay),
    );
  }

  private fire(p: SchedulableProbe, due: number): void {
    this.timers.delete(p.name);
    const running = this.runOne(p).finally(() => {
      this.inflight.delete(running);
      const now = this.opts.clock.now();
      let next = due + p.interval;
      if (next < now) {
        const beats = Math.ceil((now - next) / p.interval);
        next += beats * p.interval;
        if (!this.stopped) this.opts.onSkipped?.(p, beats);
      }
      this.schedule(p, next);
    });
    this.inflight.add(running);
  }

  private async runOne(p: SchedulableProbe): Promise<void> {
    const release = await this.slots.acquire();
    try {
      if (this.stopped) return;
      const result = await p.run(this.abort.signal);
      if (!this.stopped) this.opts.onResult(p, result);
    } finally {
      release();
    }
  }

  /** Stops scheduling, aborts the probes in flight and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) this.opts.clock.clearTimeout(t);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inflight]);
  }
}
