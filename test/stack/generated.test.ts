// The generated files are committed; this fails when they differ from what `npm run generate` makes
// now (a config or generator change without regenerating, or a hand edit of a generated file).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generate } from '../../mixin/generate.js';
import { resolveConfig } from '../../mixin/config.js';
import { REPO } from './tools.js';

const GENERATED_DIRS = ['prometheus/rules', 'prometheus/tests', 'grafana/dashboards', 'deploy/kubernetes'];

describe('generated files', () => {
  const files = generate();

  it('are up to date: run `npm run generate` and commit the result', () => {
    const stale: string[] = [];
    for (const [rel, content] of files) {
      const path = join(REPO, rel);
      if (!existsSync(path) || readFileSync(path, 'utf8') !== content) stale.push(rel);
    }
    expect(stale).toEqual([]);
  });

  it('leave no file behind that the generator no longer makes', () => {
    const extra: string[] = [];
    for (const dir of GENERATED_DIRS) {
      for (const name of readdirSync(join(REPO, dir))) {
        if (!files.has(`${dir}/${name}`)) extra.push(`${dir}/${name}`);
      }
    }
    expect(extra).toEqual([]);
  });

  it('take overrides without touching the committed files (what the e2e suite relies on)', () => {
    const short = generate({ traffic: { high: { window: '20s', requestsPerSecond: 2 } }, host: { down: { for: '5s' } } });
    const traffic = parse(short.get('prometheus/rules/hostwatch-traffic.yml')!);
    const high = traffic.groups[0].rules.find((r: { alert?: string }) => r.alert === 'HighTraffic');
    expect(high.expr).toBe('sum by (job, instance) (rate(hostwatch_http_requests_total{job="hostwatch"}[20s])) > 2');
    const host = parse(short.get('prometheus/rules/hostwatch-host.yml')!);
    expect(host.groups[0].rules.find((r: { alert?: string }) => r.alert === 'HostwatchDown').for).toBe('5s');
    // The defaults are unchanged by an override.
    expect(resolveConfig().traffic.high.window).toBe('2m');
  });

  it('rejects an override key the config does not have', () => {
    expect(() => generate({ traffic: { hihg: {} } } as never)).toThrow(/unknown mixin config key: hihg/);
  });

  it('can point every receiver at one webhook, keeping routes and inhibitions', () => {
    const am = parse(generate({}, { receivers: { webhookUrl: 'http://127.0.0.1:9999/hook' } }).get('alertmanager/alertmanager.yml')!);
    const shipped = parse(files.get('alertmanager/alertmanager.yml')!);
    expect(am.route).toEqual(shipped.route);
    expect(am.inhibit_rules).toEqual(shipped.inhibit_rules);
    for (const r of am.receivers) {
      if (r.name === 'null') expect(r.webhook_configs).toBeUndefined();
      else expect(r.webhook_configs).toEqual([{ send_resolved: true, url: 'http://127.0.0.1:9999/hook' }]);
    }
  });
});
