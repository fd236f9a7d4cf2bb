// Which source a log reads. A log with both `path` and `journal` reads its files when one of them
// exists at start, else the journal (a host with rsyslog writes /var/log/auth.log; a stock Debian 12
// host has only the journal). The choice is made at start (a restart or a reload makes it again)
// and said in the log. A checkpoint of the other kind of source is not resumed, its position means
// nothing here: the log starts at the end of the new source, so that nothing is counted twice.
import { silentLogger, type Logger } from '../core/log.js';
import { Discovery } from '../tail/discovery.js';
import { FileGuard } from '../tail/guard.js';
import { FileProblems } from '../tail/problems.js';
import { noWatch } from '../tail/watch.js';
import { FileSource } from './file-source.js';
import { JournalSource } from './journal-source.js';
import type { LineSource, SourceOptions } from './source.js';

/** Paths of the log's files that exist now (globs expanded; what cannot be read is the tailer's to report). */
async function existingFiles(paths: readonly string[], logger: Logger): Promise<string[]> {
  const discovery = new Discovery(paths, logger, noWatch, () => {});
  const { found } = await discovery.list(new FileGuard(discovery.dirs()), new FileProblems(silentLogger), new Set());
  return [...found.values()].map((f) => f.path).sort();
}

/** Which source the log reads, chosen as said above (and said in the log). */
export async function chooseSource(opts: SourceOptions): Promise<LineSource['kind']> {
  const { config, logger } = opts;
  const paths = config.path;
  if (!config.journal) return 'files';
  const journal = { directory: config.journal.directory, file: config.journal.file, match: config.journal.match };
  if (!paths) {
    logger.info('following the journal', journal);
    return 'journal';
  }
  const existing = await existingFiles(paths, logger);
  if (existing.length > 0) {
    logger.info(`following ${existing.join(', ')}`, { fallback: 'the journal, when none of the files exists at start' });
    return 'files';
  }
  logger.info(`following the journal (no ${paths.join(', ')})`, journal);
  return 'journal';
}

export function createSource(kind: LineSource['kind'], opts: SourceOptions): LineSource {
  const { config } = opts;
  return kind === 'journal' && config.journal ? new JournalSource(opts, config.journal) : new FileSource(opts, config.path ?? []);
}
