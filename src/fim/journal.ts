// The change journal: one JSON object per line in <stateDir>/fim/changes.jsonl, where file names
// go (never into metric labels). Bounded: when it would pass maxBytes it is rotated to
// changes.jsonl.1 (the previous .1 is dropped), so it takes at most twice maxBytes on disk.
import { appendFile, rename, stat } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface JournalEntry {
  ts: string;
  root: string;
  path: string;
  change: string;
  old?: Record<string, unknown> | null;
  new?: Record<string, unknown> | null;
}

export const DEFAULT_JOURNAL_MAX_BYTES = 16 << 20;
const WRITE_CHUNK = 1 << 20;

export class ChangeJournal {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly maxBytes = DEFAULT_JOURNAL_MAX_BYTES,
  ) {}

  /** Appends entries in order; writes are serialised, errors are returned to the caller. */
  append(entries: JournalEntry[]): Promise<void> {
    const run = this.chain.then(() => this.write(entries));
    this.chain = run.catch(() => {});
    return run;
  }

  private async write(entries: JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    let buf = '';
    for (const e of entries) {
      buf += JSON.stringify(e) + '\n';
      if (buf.length >= WRITE_CHUNK) {
        await this.writeChunk(buf);
        buf = '';
      }
    }
    if (buf) await this.writeChunk(buf);
  }

  private async writeChunk(text: string): Promise<void> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0 && size + Buffer.byteLength(text) > this.maxBytes) await rename(this.file, this.file + '.1');
    await appendFile(this.file, text, { mode: 0o600 });
  }
}
