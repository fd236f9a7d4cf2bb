// The high-traffic alert of `hostwatch top` (pure: time comes in as arguments, no timer, no I/O).
// Hits are counted per second; the value is the average hits per second over the last `window`
// (2 minutes by default), evaluated once per second. The alert is raised when that average goes
// above the threshold and recovers when it goes back below it; an average exactly at the threshold
// changes nothing (the boundary is a dead band), so traffic hovering at the threshold never flaps.

export interface TrafficAlertOptions {
  /** Averaging window in ms (a whole number of seconds). */
  windowMs: number;
  /** Average hits per second above which the alert is raised. */
  threshold: number;
}

export interface AlertEvent {
  kind: 'raised' | 'recovered';
  /** The average hits per second over the window when it happened. */
  value: number;
  /** When it happened (ms since the epoch: the second evaluated). */
  at: number;
}

export class TrafficAlert {
  private readonly seconds: number;
  /** Hits per second, a ring indexed by epoch second modulo the window. */
  private readonly ring: Float64Array;
  /** Epoch second each ring cell holds (a cell of an older second is stale: zero). */
  private readonly stamp: Float64Array;
  private raised = false;
  private lastEvaluated = -Infinity;

  constructor(private readonly opts: TrafficAlertOptions) {
    this.seconds = Math.max(1, Math.round(opts.windowMs / 1000));
    this.ring = new Float64Array(this.seconds);
    this.stamp = new Float64Array(this.seconds).fill(-1);
  }

  /** Whether the alert is raised now. */
  get active(): boolean {
    return this.raised;
  }

  /** Counts `n` hits at time `at` (ms). Hits older than the window are ignored. */
  record(n: number, at: number): void {
    const sec = Math.floor(at / 1000);
    if (sec <= this.lastEvaluated - this.seconds) return;
    const i = sec % this.seconds;
    if (this.stamp[i] !== sec) {
      // The cell held an older second (out of the window by now): it starts again from zero.
      this.ring[i] = 0;
      this.stamp[i] = sec;
    }
    this.ring[i] += n;
  }

  /** Average hits per second over the window ending with the second of `now`. */
  average(now: number): number {
    const sec = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < this.seconds; i++) if (this.stamp[i] > sec - this.seconds && this.stamp[i] <= sec) total += this.ring[i];
    return total / this.seconds;
  }

  /**
   * Evaluates the window ending with the second of `now` (call at least once a second); returns the
   * event this evaluation caused, if any.
   */
  evaluate(now: number): AlertEvent | undefined {
    this.lastEvaluated = Math.floor(now / 1000);
    const value = this.average(now);
    if (!this.raised && value > this.opts.threshold) {
      this.raised = true;
      return { kind: 'raised', value, at: now };
    }
    if (this.raised && value < this.opts.threshold) {
      this.raised = false;
      return { kind: 'recovered', value, at: now };
    }
    return undefined;
  }
}

/** Hits as the exercise prints them: the average per second, to two decimals at most. */
const hits = (v: number) => String(Math.round(v * 100) / 100);

/** The line printed for an event, as the console monitors of the HTTP-log exercise print them. */
export function alertLine(e: AlertEvent, time: (ms: number) => string = (ms) => new Date(ms).toISOString()): string {
  return e.kind === 'raised'
    ? `High traffic generated an alert - hits = ${hits(e.value)}, triggered at ${time(e.at)}`
    : `High traffic alert recovered - hits = ${hits(e.value)}, recovered at ${time(e.at)}`;
}
