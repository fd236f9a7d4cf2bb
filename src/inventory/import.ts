// One import: every file of every configured source, streamed through its parser into one Merger, then
// aggregated. Used by the collector (in the background, when a file changed) and by
// `hostwatch inventory report`. A file that fails to parse fails the whole import: the caller keeps the
// previous result (a half-written export must not make hosts vanish from the counts).
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { globMatcher } from '../core/glob.js';
import { aggregate, type FleetView } from './aggregate.js';
import type { InventoryConfig } from './config.js';
import { parseCrowdStrikeJson } from './crowdstrike-json.js';
import { Merger } from './merge.js';
import type { ParseLimits, ParseStats, RecordSink } from './parse-common.js';
import { parseQualysCsv } from './qualys-csv.js';
import { parseQualysXml } from './qualys-xml.js';
import type { InventoryFormat } from './record.js';

type Parser = (input: AsyncIterable<string>, sink: RecordSink, limits: ParseLimits) => Promise<ParseStats>;

export const PARSERS: Record<InventoryFormat, Parser> = {
  qualys_xml: parseQualysXml,
  qualys_csv: parseQualysCsv,
  crowdstrike_json: parseCrowdStrikeJson,
};

export interface InventoryFile {
  source: string;
  format: InventoryFormat;
  path: string;
  size: number;
  mtimeMs: number;
}

export interface SourceResult {
  source: string;
  files: string[];
  records: number;
  unparsed: number;
  warnings: string[];
}

export interface ImportResult {
  view: FleetView;
  sources: SourceResult[];
  /** Epoch seconds when the import completed. */
  importedAt: number;
}

export class InventoryImportError extends Error {
  constructor(
    readonly source: string,
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** Distinct source names in config order (the order decides OS ties). */
export function sourceNames(cfg: InventoryConfig): string[] {
  return [...new Set(cfg.sources.map((s) => s.name))];
}

/** The files of each source in the directory, sorted by name; a missing directory is an error. */
export async function listInventoryFiles(cfg: InventoryConfig): Promise<InventoryFile[]> {
  const names = (await readdir(cfg.directory)).sort();
  const out: InventoryFile[] = [];
  for (const s of cfg.sources) {
    const matches = globMatcher(s.files);
    for (const name of names) {
      if (!matches(name)) continue;
      const path = join(cfg.directory, name);
      const st = await stat(path).catch(() => undefined);
      if (st?.isFile()) out.push({ source: s.name, format: s.format, path, size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return out;
}

/** What identifies the directory's content: a change re-imports. */
export function filesSignature(files: InventoryFile[]): string {
  return files.map((f) => `${f.source}\u0000${f.path}\u0000${f.size}\u0000${f.mtimeMs}`).join('\n');
}

export async function importInventory(
  cfg: InventoryConfig,
  files: InventoryFile[],
  opts: { signal?: AbortSignal; now?: () => number } = {},
): Promise<ImportResult> {
  const names = sourceNames(cfg);
  let merger: Merger | undefined = new Merger(names, cfg.max_hosts);
  const results = new Map<string, SourceResult>(names.map((n) => [n, { source: n, files: [], records: 0, unparsed: 0, warnings: [] }]));
  const limits: ParseLimits = { maxRecordChars: cfg.max_record_bytes };
  for (const f of files) {
    const s = names.indexOf(f.source);
    const input = createReadStream(f.path, { encoding: 'utf8', highWaterMark: 64 * 1024, signal: opts.signal });
    let stats: ParseStats;
    try {
      stats = await PARSERS[f.format](input, (r) => merger!.add(r, s), limits);
    } catch (err) {
      throw new InventoryImportError(f.source, f.path, (err as Error).message);
    } finally {
      input.destroy();
    }
    const r = results.get(f.source)!;
    r.files.push(f.path);
    r.records += stats.records;
    r.unparsed += stats.unparsed;
    for (const w of stats.warnings) r.warnings.push(`${f.path}: ${w}`);
  }
  const merged = merger.result();
  merger = undefined; // its key index (the largest allocation) is garbage from here on
  const view = aggregate(merged, cfg.max_os_values);
  return { view, sources: [...results.values()], importedAt: Math.floor((opts.now ?? Date.now)() / 1000) };
}
