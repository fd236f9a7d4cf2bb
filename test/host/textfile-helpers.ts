// Helpers of the textfile collector tests: the collector run through the real runner on a
// directory, and exposition text reduced to comparable series (labels sorted, empty labels dropped,
// as Prometheus reads them).
import { textfileCollector } from '../../src/collectors/textfile/index.js';
import { renderFamilies } from '../../src/exporter/exposition.js';
import { createCollectors, Runner } from '../../src/exporter/runner.js';
import { silentLogger } from '../../src/core/log.js';
import { makeCtx } from './helpers.js';

/** A textfile collector on `directory`; scrape() renders what a /metrics request would show. */
export function textfileRunner(directory: string): { scrape: () => Promise<string> } {
  const { config, clock } = makeCtx({ textfile: { directory } });
  const runner = new Runner(
    createCollectors([textfileCollector], { config, stateDir: '/nonexistent', logger: silentLogger, clock }),
    silentLogger,
    5000,
  );
  return { scrape: async () => renderFamilies(await runner.collect(), 'text') };
}

/** Series of an exposition as `name{a="x",b="y"}` (labels sorted, empty ones dropped) → value text. */
export function series(text: string, keep: (name: string) => boolean = () => true): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unexpected exposition line ${JSON.stringify(line)}`);
    if (!keep(m[1])) continue;
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .filter(([, , v]) => v !== '')
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    const value = Number(m[3]);
    out.set(`${m[1]}{${labels.join(',')}}`, Number.isNaN(value) ? 'NaN' : String(value));
  }
  return out;
}
