// textfile: the metrics that scripts write into *.prom files of host.textfile.directory
// (--collector.textfile.directory), as node_exporter's textfile collector exports them, so that the
// cron jobs people already have keep working with hostwatch:
// - every `*.prom` file of the directory (not recursive), in name order, in the text format
//   (parse.ts); a file that does not parse, has client-side timestamps, declares a family another
//   file declared with another type, repeats a series of another file, or uses a name of the
//   exporter's own (`hostwatch_*`, and the runtime's `process_*` and `nodejs_*`) is skipped whole;
// - hostwatch_textfile_mtime_seconds{file} for each file read, hostwatch_textfile_scrape_error 1
//   when a file or the directory could not be read or was skipped (node_textfile_mtime_seconds and
//   node_textfile_scrape_error of node_exporter);
// - families without HELP get "Metric read from <file>"; one family in several files is merged,
//   the first file's HELP wins.
// Each file is stat'ed at every scrape and parsed again only when it changed.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { rateLimited, type Logger } from '../../core/log.js';
import { defineMetric } from '../../core/metric.js';
import { parseTextfile, seriesKey, seriesNames, TextfileError, type TextfileFamily } from './parse.js';

/** Names that belong to the exporter: a file cannot add series to them or shadow them. */
const RESERVED_PREFIXES = ['hostwatch_', 'process_', 'nodejs_'];
/** Textfiles hold a few metrics; a bigger file is a mistake, not something to load into memory. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

interface ParsedFile {
  /** inode, size and mtime: parse again when one changes. */
  version: string;
  mtimeSeconds: number;
  families?: TextfileFamily[];
  error?: string;
}

export class TextfileCollector implements Collector {
  private readonly directory: string;
  private readonly logger: Logger;
  private readonly registry: Registry;
  private parsed = new Map<string, ParsedFile>();
  /** What the last update exposes. */
  private families = new Map<string, TextfileFamily>();
  private mtimes: { file: string; seconds: number }[] = [];
  private error = 0;
  /** Families registered in the registry, by name, with the type and help they were registered with. */
  private readonly registered = new Map<string, string>();

  constructor(ctx: CollectorContext) {
    this.directory = ctx.config.host.textfile.directory;
    this.logger = rateLimited(ctx.logger, { clock: ctx.clock });
    this.registry = ctx.registry;
    if (!this.directory) return;
    defineMetric(ctx.registry, {
      name: 'hostwatch_textfile_mtime_seconds',
      help: 'Modification time of each textfile read successfully, in seconds since the epoch.',
      type: 'gauge',
      labelNames: ['file'],
      samples: () => this.mtimes.map(({ file, seconds }) => ({ labels: { file }, value: seconds })),
    });
    defineMetric(ctx.registry, {
      name: 'hostwatch_textfile_scrape_error',
      help: '1 if a textfile or the directory could not be read, or a file was skipped as invalid; 0 otherwise.',
      type: 'gauge',
      value: () => this.error,
    });
  }

  async update(): Promise<void> {
    if (!this.directory) return;
    let names: string[];
    try {
      names = (await readdir(this.directory)).filter((n) => n.endsWith('.prom')).sort();
    } catch (err) {
      this.logger.error('cannot read the textfile directory', {
        directory: this.directory,
        err: (err as NodeJS.ErrnoException).code ?? String(err),
      });
      this.publish(new Map(), [], 1);
      return;
    }
    const files = await Promise.all(names.map((n) => this.read(join(this.directory, n))));
    this.parsed = new Map(names.map((n, i) => [join(this.directory, n), files[i]]));

    let error = 0;
    const merged = new Map<string, TextfileFamily>();
    const seriesOwner = new Map<string, string>(); // series name -> family name
    const seen = new Set<string>();
    const mtimes: { file: string; seconds: number }[] = [];
    for (const [path, file] of this.parsed) {
      const problem = file.error ?? conflict(file.families!, merged, seriesOwner, seen);
      if (problem) {
        error = 1;
        this.logger.error('textfile skipped', { file: path, err: problem });
        continue;
      }
      for (const f of file.families!) {
        const into = merged.get(f.name);
        if (into) into.values.push(...f.values);
        else merged.set(f.name, { ...f, help: f.help || `Metric read from ${path}`, values: [...f.values] });
        for (const n of seriesNames(f)) seriesOwner.set(n, f.name);
        for (const s of f.values) seen.add(seriesKey(f.name, s));
      }
      mtimes.push({ file: path, seconds: file.mtimeSeconds });
    }
    this.publish(merged, mtimes, error);
  }

  /** Stats a file and parses it when it changed since the last scrape. */
  private async read(path: string): Promise<ParsedFile> {
    try {
      const st = await stat(path, { bigint: true });
      const version = `${st.ino}:${st.size}:${st.mtimeNs}`;
      const before = this.parsed.get(path);
      if (before?.version === version) return before;
      const mtimeSeconds = Math.floor(Number(st.mtimeNs / 1_000_000n)) / 1000;
      if (!st.isFile()) return { version, mtimeSeconds, error: 'not a regular file' };
      if (st.size > MAX_FILE_BYTES) return { version, mtimeSeconds, error: `larger than ${MAX_FILE_BYTES / 1048576} MiB` };
      const text = await readFile(path, 'utf8');
      try {
        return { version, mtimeSeconds, families: parseTextfile(text) };
      } catch (err) {
        // Kept with its version: an unchanged bad file is not parsed again at every scrape.
        if (err instanceof TextfileError) return { version, mtimeSeconds, error: err.message };
        throw err;
      }
    } catch (err) {
      // Not kept as a version: a file that could not be read (removed, or its mode changed for a
      // moment) is tried again at the next scrape.
      const code = (err as NodeJS.ErrnoException).code;
      return { version: '', mtimeSeconds: 0, error: code ? `cannot read: ${code}` : (err as Error).message };
    }
  }

  /** Makes the registry expose `families` (registering new ones, dropping gone ones) and the state. */
  private publish(families: Map<string, TextfileFamily>, mtimes: { file: string; seconds: number }[], error: number): void {
    for (const name of this.registered.keys()) {
      const f = families.get(name);
      if (!f || this.registered.get(name) !== `${f.type}\0${f.help}`) {
        this.registry.removeSingleMetric(name);
        this.registered.delete(name);
      }
    }
    for (const f of families.values()) {
      if (this.registered.has(f.name)) continue;
      const name = f.name;
      defineMetric(this.registry, {
        name,
        help: f.help,
        type: f.type,
        labelNames: [],
        samples: () => this.families.get(name)?.values ?? [],
      });
      this.registered.set(name, `${f.type}\0${f.help}`);
    }
    this.families = families;
    this.mtimes = mtimes;
    this.error = error;
  }
}

/** Why a file's families cannot join those of the files before it, if they cannot. */
function conflict(
  families: TextfileFamily[],
  merged: Map<string, TextfileFamily>,
  seriesOwner: Map<string, string>,
  seen: Set<string>,
): string | undefined {
  for (const f of families) {
    const reserved = RESERVED_PREFIXES.find((p) => f.name.startsWith(p));
    if (reserved) return `${f.name}: names starting with ${reserved} belong to hostwatch itself`;
    const before = merged.get(f.name);
    if (before && before.type !== f.type) return `${f.name} is a ${f.type} here but a ${before.type} in an earlier file`;
    for (const n of seriesNames(f)) {
      const owner = seriesOwner.get(n);
      if (owner !== undefined && owner !== f.name) return `${f.name} makes series ${n}, which family ${owner} of an earlier file makes too`;
    }
    for (const s of f.values) {
      if (seen.has(seriesKey(f.name, s)))
        return `${s.metricName ?? f.name} ${JSON.stringify(s.labels)} is already given by an earlier file`;
    }
  }
  return undefined;
}

export const textfileCollector: CollectorDefinition = {
  name: 'textfile',
  help: 'metrics of the *.prom files in host.textfile.directory / --collector.textfile.directory (node_exporter textfile format)',
  defaultEnabled: true,
  create: (ctx) => new TextfileCollector(ctx),
};
