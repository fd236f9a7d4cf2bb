// The log lines of the paths a FIM root's scans could not read: each path once with its reason
// (not again at every scan while it stays unreadable), at most UNREADABLE_LOG_PER_SCAN per scan and
// the rest summed up in one line; the counter by reason (the metrics) counts them all.
import type { Logger } from '../core/log.js';
import { ERROR_REASONS } from './record.js';
import { joinPath, type ScanResult } from './scan.js';

/** Unreadable paths remembered as already logged. */
const MAX_LOGGED_UNREADABLE = 10_000;
/** Unreadable paths logged per scan at most. */
const UNREADABLE_LOG_PER_SCAN = 20;

export class UnreadableLog {
  /** `reason path` of the unreadable paths already logged. */
  private readonly logged = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly logger: Logger,
  ) {}

  log(result: Pick<ScanResult, 'unreadable' | 'errors'>): void {
    let logged = 0;
    let more = 0;
    for (const u of result.unreadable) {
      const key = `${u.reason} ${u.rel}`;
      if (this.logged.has(key)) continue;
      if (logged >= UNREADABLE_LOG_PER_SCAN) {
        more++;
        continue;
      }
      if (this.logged.size >= MAX_LOGGED_UNREADABLE) this.logged.clear();
      this.logged.add(key);
      logged++;
      this.logger.warn('FIM cannot read a path', { root: this.root, path: joinPath(this.root, u.rel), reason: u.reason });
    }
    const unlisted = ERROR_REASONS.reduce((n, r) => n + (r === 'vanished' ? 0 : result.errors[r]), 0) - result.unreadable.length;
    if (more + Math.max(0, unlisted) > 0) {
      this.logger.warn('FIM unreadable paths not logged', { root: this.root, more: more + Math.max(0, unlisted) });
    }
  }
}
