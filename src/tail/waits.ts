// States the tailer waits out before acting on them, each against the rotation wait: a listing
// caught while logrotate shifts names, a .gz gzip may still be writing, a copy still being written,
// a short file's copy that cannot be looked at yet. Acting at once would take a passing state for a
// lasting one (a member missed, a .gz taken for damaged); waiting for ever would hold a file up.
import type { Clock } from '../core/clock.js';

/** Since when each key has been in one state to wait out. */
export class Waits {
  private readonly since = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly waitMs: number,
  ) {}

  /**
   * Whether `key` is still within the wait, counted from its first call since it was last cleared;
   * past it, the key is forgotten, so that a state that persists is acted upon once per wait.
   */
  stillWaiting(key: string): boolean {
    const now = this.clock.now();
    const from = this.since.get(key) ?? now;
    if (now - from < this.waitMs) {
      this.since.set(key, from);
      return true;
    }
    this.since.delete(key);
    return false;
  }

  /** The state of `key` is over. */
  clear(key: string): void {
    this.since.delete(key);
  }
}
