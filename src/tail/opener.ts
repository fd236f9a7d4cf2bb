// Opening log files for reading. A file that cannot be opened (permissions, vanished) is reported
// once, not on every pass, until it opens again or stops being found.
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../core/log.js';

export class LogFileOpener {
  /** Paths reported as unopenable, so that a pass every second does not repeat the warning. */
  private readonly warned = new Set<string>();

  constructor(private readonly logger: Logger) {}

  /** The file opened read-only, or undefined (reported once) when it cannot be. */
  async open(full: string): Promise<FileHandle | undefined> {
    try {
      const fh = await open(full, 'r');
      this.warned.delete(full);
      return fh;
    } catch (err) {
      if (!this.warned.has(full)) {
        this.warned.add(full);
        this.logger.warn('cannot open log file', { path: full, err: (err as Error).message });
      }
      return undefined;
    }
  }

  /** Forgets the warnings about paths no longer found: one that comes back is reported again. */
  keepWarningsFor(found: ReadonlySet<string>): void {
    for (const p of this.warned) if (!found.has(p)) this.warned.delete(p);
  }
}
