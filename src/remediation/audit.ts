// The remediation audit log: one JSON object per line, one line per decision, appended to
// <state dir>/remediation-audit.jsonl. Bounded: past MAX_BYTES the file is renamed to .1 (the
// previous .1 is dropped) and a new one starts, as logrotate's `rotate 1` would.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';

const MAX_BYTES = 10 * 1024 * 1024;

export class AuditLog {
  readonly file: string;
  private size: number;

  constructor(private readonly stateDir: string) {
    this.file = path.join(stateDir, 'remediation-audit.jsonl');
    try {
      this.size = statSync(this.file).size;
    } catch {
      this.size = 0;
    }
  }

  /** Appends one record, synchronously: a decision is on disk before the command starts. */
  write(record: Record<string, unknown>): void {
    const line = JSON.stringify(record) + '\n';
    if (this.size === 0) mkdirSync(this.stateDir, { recursive: true });
    if (this.size + line.length > MAX_BYTES && this.size > 0) {
      renameSync(this.file, `${this.file}.1`);
      this.size = 0;
    }
    appendFileSync(this.file, line, { mode: 0o600 });
    this.size += Buffer.byteLength(line);
  }
}
