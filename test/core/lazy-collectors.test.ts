// The logs and fim collectors are imported only when enabled (src/collectors/lazy.ts): their
// entries in the registration list must say what the real modules say, must load before use, and
// the exporter's static module graph must not pull them (nor zod, YAML, chokidar, re2) in.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { COLLECTORS } from '../../src/collectors/index.js';
import { lazyCollector, loadCollectors } from '../../src/collectors/lazy.js';
import { logsCollector } from '../../src/collectors/logs/index.js';
import { fimCollector } from '../../src/collectors/fim/index.js';
import { auditCollector } from '../../src/collectors/audit/index.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { ManualClock } from '../../src/core/clock.js';
import type { CollectorDefinition } from '../../src/core/collector.js';

const ROOT = join(import.meta.dirname, '..', '..');
const entry = (name: string) => COLLECTORS.find((c) => c.name === name)!;
const familyNames = (def: CollectorDefinition, config: unknown) => {
  const registry = new Registry();
  def.create({ config: parseConfig(config), registry, stateDir: '/nonexistent', logger: silentLogger, clock: new ManualClock() });
  return registry.getMetricsAsArray().map((m) => m.name).sort();
};

describe('lazy collectors', () => {
  it('the registration list says what the modules say (name, help, default)', () => {
    for (const real of [logsCollector, fimCollector, auditCollector]) {
      const e = entry(real.name);
      expect({ name: e.name, help: e.help, defaultEnabled: e.defaultEnabled }).toEqual({
        name: real.name,
        help: real.help,
        defaultEnabled: real.defaultEnabled,
      });
    }
  });

  it('create() needs load() first, then builds what the real definition builds', async () => {
    const probe = lazyCollector({ name: 'logs', help: 'h', defaultEnabled: true }, async () => logsCollector);
    expect(() => probe.create({} as never)).toThrow(/before load/);
    await loadCollectors([probe, ...COLLECTORS]);
    const config = { logs: [{ name: 'a', type: 'access', path: '/nonexistent/a.log' }], fim: { enabled: true, roots: [{ path: '/nonexistent' }] } };
    expect(familyNames(probe, config)).toEqual(familyNames(logsCollector, config));
    expect(familyNames(entry('fim'), config)).toEqual(familyNames(fimCollector, config));
    expect(familyNames(entry('fim'), config).length).toBeGreaterThan(0);
  });

  it('a module that defines another collector is refused', async () => {
    const wrong = lazyCollector({ name: 'logs', help: 'h', defaultEnabled: true }, async () => fimCollector);
    await expect(wrong.load()).rejects.toThrow(/defines collector fim/);
  });

  it("the exporter's static imports leave out the lazy collectors, config validation and web config", () => {
    // A resolve hook in the child prints every module URL resolved while importing the exporter and
    // the registration list (as main.ts does before it starts the exporter).
    const hooks = `import { writeSync } from 'node:fs'; export async function resolve(s, c, next) { const r = await next(s, c); writeSync(2, 'RESOLVED ' + r.url + '\\n'); return r; }`;
    const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));`;
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', "await import('./src/core/exporter.ts'); await import('./src/collectors/index.ts');"],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const urls = r.stderr.split('\n').filter((l) => l.startsWith('RESOLVED ')).map((l) => l.slice(9));
    // Sanity: the hook sees the graph.
    expect(urls.some((u) => u.endsWith('/src/collectors/host.ts'))).toBe(true);
    expect(urls.some((u) => u.includes('/node_modules/express/'))).toBe(true);
    const unwanted = urls.filter((u) => /\/src\/collectors\/(logs|fim)\/|\/src\/(logs|fim|tail)\/|\/node_modules\/(zod|yaml|chokidar|re2)\/|\/src\/config\/(load|schema)\.ts|\/src\/server\/webconfig/.test(u));
    expect(unwanted).toEqual([]);
  }, 60_000);
});

describe('subcommand modules loaded on demand (src/main.ts)', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  it('--help still lists every subcommand, fim included', () => {
    const r = cli(['--help']);
    expect(r.status, r.stderr).toBe(0);
    for (const c of ['check-config', 'parse', 'fim']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  }, 60_000);

  it('fim is reachable after options written as separate words (--flag value fim ...)', () => {
    const r = cli(['--log.level', 'warn', 'fim', '--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+status\b/m);
    expect(r.stdout).toMatch(/^\s+accept\b/m);
  }, 60_000);
});
