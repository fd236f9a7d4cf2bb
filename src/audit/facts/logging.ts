// Logging facts: where systemd-journald keeps the journal (journald.conf(5): Storage=, the drop-ins
// of journald.conf.d overriding the main file, "auto" meaning persistent only when /var/log/journal
// exists). Which logging daemons run comes from the process table.
import { readdir, stat } from 'node:fs/promises';
import type { FactContext } from './context.js';
import type { LoggingFacts } from './types.js';

/** The last Storage= of the [Journal] section among the files, in the order given. */
export function journaldStorage(files: { name: string; text: string }[]): { value: string; file?: string } {
  let out: { value: string; file?: string } = { value: 'auto' };
  for (const f of files) {
    let section = '';
    for (const l of f.text.split('\n')) {
      const s = /^\s*\[(\w+)\]/.exec(l);
      if (s) section = s[1];
      const m = /^\s*Storage\s*=\s*(\w+)/.exec(l);
      if (m && section === 'Journal') out = { value: m[1].toLowerCase(), file: f.name };
    }
  }
  return out;
}

export async function readLogging(ctx: FactContext): Promise<LoggingFacts> {
  const dropins = (await readdir(ctx.file('/etc/systemd/journald.conf.d')).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.conf'))
    .sort();
  const files: { name: string; text: string }[] = [];
  for (const name of ['/etc/systemd/journald.conf', ...dropins.map((n) => `/etc/systemd/journald.conf.d/${n}`)]) {
    const text = await ctx.readOptional(name).catch(() => undefined);
    if (text !== undefined) files.push({ name, text });
  }
  const storage = journaldStorage(files);
  const varLogJournal = await stat(ctx.file('/var/log/journal')).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return { journaldStorage: storage.value, journaldStorageFile: storage.file, varLogJournal };
}
