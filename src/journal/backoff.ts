// Restart delays of a journalctl that exited or could not be started: doubling from `initialMs` to
// `maxMs`, back to `initialMs` once a child has run for `healthyMs` (a crash loop slows down; a
// child that ran for hours and then died is restarted at once). Pure: times are parameters.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  healthyMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000, healthyMs: 60_000 };

export class Backoff {
  private failures = 0;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The delay before the next start, given how long the last child ran (ms; 0: it never started). */
  next(ranMs: number): number {
    if (ranMs >= this.opts.healthyMs) this.failures = 0;
    const delay = Math.min(this.opts.maxMs, this.opts.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return delay;
  }
}
