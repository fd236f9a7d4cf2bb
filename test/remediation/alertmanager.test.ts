// End to end with Debian's Alertmanager: the commented remediation receiver of the shipped
// alertmanager.yml, uncommented as an operator would, posts to a real exporter (bearer token file,
// operator role) when alerts arrive; the matching action writes a marker file with the validated
// source, and an alert whose source label carries shell syntax is refused and runs nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Exporter } from '../../src/exporter/exporter.js';
import { testExporter } from '../support/test-exporter.js';
import { REMEDIATION_MARKER, REMEDIATION_RECEIVER } from '../../mixin/alertmanager.js';
import { Alertmanager, deriveAlertmanagerConfig, writeAlertmanagerConfig } from '../e2e/harness/alertmanager.js';
import { freePort } from '../e2e/harness/ports.js';
import { waitFor } from '../e2e/harness/wait.js';
import { REPO, requireTool } from '../stack/tools.js';

let dir: string;
let exporter: Exporter;
let am: Alertmanager | undefined;
const TOKEN = 'alertmanager-operator-token-1234567890';

/** The commented block after the marker, uncommented: its YAML starts at `route:`. */
function uncommentRemediation(text: string): { route: Record<string, unknown>; receiver: Record<string, unknown> } {
  const lines = text.slice(text.indexOf(REMEDIATION_MARKER)).split('\n');
  const start = lines.indexOf('# route:');
  const yaml = lines
    .slice(start)
    .filter((l) => l.startsWith('#'))
    .map((l) => l.replace(/^# ?/, ''))
    .join('\n');
  const doc = YAML.parse(yaml) as { route: { routes: Record<string, unknown>[] }; receivers: Record<string, unknown>[] };
  return { route: doc.route.routes[0], receiver: doc.receivers[0] };
}

beforeAll(async () => {
  requireTool('prometheus-alertmanager');
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-am-remed-'));
  const recorder = join(dir, 'record.mjs');
  await writeFile(
    recorder,
    "import { appendFileSync } from 'node:fs';\nappendFileSync(process.argv[2], process.argv.slice(3).join(' ') + '\\n');\n",
  );
  await writeFile(join(dir, 'operator.token'), TOKEN);
  await writeFile(join(dir, 'web.yml'), 'bearer_tokens:\n  - {file: operator.token, role: operator}\n');
  await writeFile(
    join(dir, 'hostwatch.yml'),
    YAML.stringify({
      actions: [
        {
          name: 'block-source',
          alertname: 'SSHBruteForceSource',
          command: [process.execPath, recorder, join(dir, 'marker'), 'deny', '{{source}}'],
          labels: { source: 'ip' },
          dry_run: false,
        },
      ],
    }),
  );
  exporter = testExporter(dir, { webConfigFile: join(dir, 'web.yml') });
  await exporter.start();

  // The shipped config, with the human receivers pointed at a closed local port (nobody is paged
  // from a test), plus the remediation block uncommented with this test's URL and token file.
  const shipped = await readFile(join(REPO, 'alertmanager/alertmanager.yml'), 'utf8');
  const derived = YAML.parse(deriveAlertmanagerConfig(shipped, join(REPO, 'alertmanager'), () => 'http://127.0.0.1:9/').text) as {
    route: { routes: unknown[] };
    receivers: unknown[];
  };
  const { route, receiver } = uncommentRemediation(shipped);
  expect(receiver.name).toBe(REMEDIATION_RECEIVER);
  const hook = (receiver.webhook_configs as { url: string; http_config: { authorization: { credentials_file: string } } }[])[0];
  hook.url = `http://127.0.0.1:${exporter.address.port}/api/v1/alertmanager`;
  hook.http_config.authorization.credentials_file = join(dir, 'operator.token');
  derived.route.routes.unshift(route);
  derived.receivers.push(receiver);
  const configFile = await writeAlertmanagerConfig(join(dir, 'am'), YAML.stringify(derived));
  am = await Alertmanager.start({ configFile, dataDir: join(dir, 'am-data'), address: `127.0.0.1:${await freePort()}` });
}, 60_000);

afterAll(async () => {
  await am?.proc.stop();
  await exporter?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('remediation fed by a real Alertmanager', () => {
  it('a matching alert runs its action once; a label with shell syntax runs nothing', async () => {
    await am!.post([
      { labels: { alertname: 'SSHBruteForceSource', severity: 'warning', instance: 'web-1:10023', source: '203.0.113.7' } },
      {
        labels: {
          alertname: 'SSHBruteForceSource',
          severity: 'warning',
          instance: 'web-1:10023',
          source: '$(touch /tmp/hostwatch-pwned); rm -rf /',
        },
      },
      // Not listed in the remediation route: never posted to hostwatch.
      { labels: { alertname: 'HostCPUHigh', severity: 'warning', instance: 'web-1:10023' } },
    ]);
    const audit = join(dir, 'state', 'remediation-audit.jsonl');
    const records = await waitFor(
      () => {
        if (!existsSync(audit)) return undefined;
        const recs = readFileSync(audit, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        return recs.some((r) => r.result === 'ran') && recs.some((r) => r.result === 'invalid_label') ? recs : undefined;
      },
      { what: 'Alertmanager to post both alerts and the action to run', timeoutMs: 30_000, diagnostics: () => am!.proc.describe(30) },
    );
    expect(readFileSync(join(dir, 'marker'), 'utf8')).toBe('deny 203.0.113.7\n');
    expect(existsSync('/tmp/hostwatch-pwned')).toBe(false);
    expect(records.find((r) => r.result === 'invalid_label')).toMatchObject({ action: 'block-source', alertname: 'SSHBruteForceSource' });
    expect(records.some((r) => r.alertname === 'HostCPUHigh')).toBe(false);
    const metrics = await fetch(`http://127.0.0.1:${exporter.address.port}/metrics`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    }).then((r) => r.text());
    expect(metrics).toContain('hostwatch_remediation_runs_total{action="block-source",result="ran"} 1');
    expect(metrics).toContain('hostwatch_remediation_runs_total{action="block-source",result="invalid_label"} 1');
  });
});
