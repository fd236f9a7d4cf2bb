// The list of log types (src/logs/registry.ts) is what the config schema, the logs collector,
// `hostwatch parse --type` and the docs read: each registered type must be whole in all of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { LogsCollector } from '../../src/collectors/logs/index.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/errors.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { LOG_TYPES } from '../../src/logs/registry.js';
import { noWatch } from '../../src/tail/watch.js';
import { parseRecords } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hw-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = LOG_TYPES.map((t) => t.type);

describe('the log type registry', () => {
  it('lists access, auth, firewall and pattern, once each', () => {
    expect(names).toEqual(['access', 'auth', 'firewall', 'pattern']);
  });

  it.each(LOG_TYPES.map((t) => [t.type, t] as const))(
    '%s: its example is a valid entry, and the collector runs a pipeline for it',
    async (type, t) => {
      const config = parseConfig({ logs: [{ ...t.example, type }] });
      expect(config.logs[0].type).toBe(type);
      const registry = new Registry();
      const c = new LogsCollector(
        { config, registry, stateDir: join(dir, type), logger: silentLogger, clock: new ManualClock() },
        { watch: noWatch },
      );
      expect(c.pipelines.map((p) => p.config.type)).toEqual([type]);
      const runtime = await t.load();
      expect(typeof runtime.parseFields).toBe('function');
    },
  );

  it('an unknown type is a config error naming every registered type', () => {
    let err: unknown;
    try {
      parseConfig({ logs: [{ name: 'x', type: 'bogus', path: '/x' }] });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).problems).toEqual([`logs[0].type: type must be one of ${names.join(', ')}`]);
  });

  it('hostwatch parse: an unknown --type names every registered type', async () => {
    await expect(parseRecords('-', { type: 'bogus' })).rejects.toThrow(`--type: unknown log type "bogus" (one of ${names.join(', ')})`);
  });

  it('hostwatch parse --log: reads the settings of the named log of the type from the config file, or says which logs there are', async () => {
    const cfg = join(dir, 'hostwatch.yml');
    writeFileSync(
      cfg,
      [
        'logs:',
        '  - {name: plain, type: access, path: /x, format: \'$remote_addr [$time_local] "$request" $status $body_bytes_sent\'}',
        '  - {name: auth, type: auth, path: /y}',
        '',
      ].join('\n'),
    );
    const lines = join(dir, 'access.log');
    writeFileSync(lines, '10.0.0.1 [10/Oct/2024:13:55:36 +0000] "GET /api/x HTTP/1.1" 200 12\n');
    const [rec] = (await parseRecords(lines, { type: 'access', configFile: cfg, log: 'plain' })) as Record<string, unknown>[];
    expect(rec).toMatchObject({ match: true, section: '/api', status: 200, bytes: 12, source: '10.0.0.1' });
    // The same line is not combined format: without --log it does not match.
    expect(await parseRecords(lines, { type: 'access', configFile: cfg })).toEqual([{ n: 1, match: false }]);
    await expect(parseRecords(lines, { type: 'access', configFile: cfg, log: 'auth' })).rejects.toThrow(
      `--log: no access log named "auth" in ${cfg} (access logs: plain)`,
    );
    await expect(parseRecords(lines, { type: 'pattern', configFile: cfg })).rejects.toThrow(`${cfg}: no log of type pattern`);
  });
});
