// loadConfigIsolated validates the config in a child process (so that the exporter never
// imports zod and the YAML parser); what comes back must be exactly what loadConfig gives in-thread.
// The child runs from the TypeScript source here (through tsx), as the built one runs from dist/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadConfigIsolated } from '../../src/config/load-isolated.js';
import { ConfigError } from '../../src/config/errors.js';
import { exporterConfigFile } from '../../src/config/early-load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const inChild = (file: string) => loadConfigIsolated(file, { inThread: false });
const dir = mkdtempSync(join(tmpdir(), 'hostwatch-load-isolated-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('loadConfigIsolated (child process)', () => {
  it('returns the same config as loadConfig for the shipped configs', async () => {
    for (const f of ['hostwatch.yml', 'hostwatch.docker.yml']) {
      const file = join(ROOT, f);
      const isolated = await inChild(file);
      expect(isolated).toEqual(await loadConfig(file));
      // Durations and sizes arrive converted, as numbers.
      expect(isolated.host.updates.interval).toBe(3_600_000);
      expect(typeof isolated.logs[0].max_line_bytes).toBe('number');
    }
  }, 60_000);

  it('returns pattern rules and every log type intact', async () => {
    const file = join(dir, 'all.yml');
    writeFileSync(
      file,
      [
        'logs:',
        '  - {name: web, type: access, path: /tmp/a.log, format: "$remote_addr [$time_local] \\"$request\\" $status $body_bytes_sent $request_time"}',
        '  - {name: auth, type: auth, path: /tmp/auth.log, bruteforce: {threshold: 3, window: 90s}}',
        '  - {name: fw, type: firewall, path: /tmp/ufw.log}',
        '  - name: p',
        '    type: pattern',
        '    path: /tmp/p.log',
        '    rules: [{name: found, regex: ": (?<sig>\\\\S+) FOUND$", labels: [sig], max_label_values: 5}]',
        'fim: {enabled: true, roots: [{path: /tmp, critical: true, exclude: ["**/*.swp"]}]}',
      ].join('\n'),
    );
    const isolated = await inChild(file);
    expect(isolated).toEqual(await loadConfig(file));
    expect(isolated.logs.map((l) => l.type)).toEqual(['access', 'auth', 'firewall', 'pattern']);
  }, 60_000);

  it('reports every problem of a bad config as loadConfig does', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'host:\n  updates:\n    interval: 2q\nlogs:\n  - {name: a, type: auth, path: /x, bruteforce: {windw: 1m}}\n');
    const expected = await rejection(loadConfig(file));
    const got = await rejection(inChild(file));
    expect(got.file).toBe(file);
    expect(got.problems).toEqual(expected.problems);
    expect(got.problems.join('\n')).toMatch(/host\.updates\.interval: .*2q/);
  }, 60_000);

  it('reports YAML syntax errors and unreadable files as ConfigError', async () => {
    const file = join(dir, 'syntax.yml');
    writeFileSync(file, 'host: [\n');
    expect((await rejection(inChild(file))).problems[0]).toMatch(/^\(yaml\): /);
    const missing = join(dir, 'missing.yml');
    expect((await rejection(inChild(missing))).problems).toEqual(['(file): cannot read: ENOENT']);
  }, 60_000);

  it('gives up on a config path that never answers (a FIFO nobody writes) and kills the child', async () => {
    const fifo = join(dir, 'fifo.yml');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    await expect(loadConfigIsolated(fifo, { inThread: false, timeoutMs: 3000 })).rejects.toThrow(/no answer within 3 s/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
  }, 60_000);
});

describe('exporterConfigFile (early start of the config child in main.ts)', () => {
  it('finds --config.file on a plain exporter command line, in both spellings, default hostwatch.yml', () => {
    expect(exporterConfigFile([])).toBe('hostwatch.yml');
    expect(exporterConfigFile(['--config.file=/etc/h.yml', '--web.listen-address=:1'])).toBe('/etc/h.yml');
    expect(exporterConfigFile(['--log.level=warn', '--config.file', 'a.yml', '--no-collector.fim'])).toBe('a.yml');
  });
  it('starts nothing for subcommands, help, version, or a word it cannot place', () => {
    for (const args of [['check-config'], ['fim', 'status'], ['--help'], ['-h'], ['--version'], ['--log.level', 'warn'], ['parse', '--type', 'auth', '-']]) {
      expect(exporterConfigFile(args)).toBeUndefined();
    }
  });
});
