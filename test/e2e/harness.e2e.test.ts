// The harness's own pure parts, on the SHIPPED files: the derived configs keep what the suite claims
// they keep, and dashboard variables are substituted as Grafana does. No process is started here.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { deriveAlertmanagerConfig } from './harness/alertmanager.js';
import { labelValuesQuery, promRegexEscape, substitute } from './harness/dashboards.js';
import { derivePrometheusConfig, mapTarget } from './harness/prometheus.js';
import { SHIPPED } from './harness/stack.js';
import { generateStack, generatedAlertmanagerConfig } from './harness/mixin.js';

const addrs = { exporter: '127.0.0.1:1001', alertmanager: '127.0.0.1:1002', prometheus: '127.0.0.1:1003' };

describe('derived prometheus.yml', () => {
  it("keeps the shipped jobs, rule files and labels, with 1 s intervals and this run's targets", async () => {
    const shippedText = await readFile(SHIPPED.prometheusYml, 'utf8');
    const shipped = YAML.parse(shippedText);
    const derived = YAML.parse(derivePrometheusConfig(shippedText, addrs));
    expect(derived.global.scrape_interval).toBe('1s');
    expect(derived.global.evaluation_interval).toBe('1s');
    expect(derived.global.external_labels).toEqual(shipped.global.external_labels);
    expect(derived.rule_files).toEqual(shipped.rule_files);
    expect(derived.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(
      shipped.scrape_configs.map((j: { job_name: string }) => j.job_name),
    );
    const targets = derived.scrape_configs.flatMap((j: { static_configs?: { targets: string[] }[] }) =>
      (j.static_configs ?? []).flatMap((s) => s.targets),
    );
    expect(targets).toContain(addrs.exporter);
    expect(targets.every((t: string) => Object.values(addrs).includes(t))).toBe(true);
    expect(derived.alerting.alertmanagers[0].static_configs[0].targets).toEqual([addrs.alertmanager]);
    for (const job of derived.scrape_configs) expect(job.scrape_interval).toBeUndefined();
  });

  it('refuses a target it does not know rather than dropping it', () => {
    expect(() => mapTarget('db.internal:9187', addrs)).toThrow(/not known to the e2e harness/);
    expect(mapTarget('hostwatch:10023', addrs)).toBe(addrs.exporter);
    expect(mapTarget('localhost:9090', addrs)).toBe(addrs.prometheus);
  });
});

describe('derived alertmanager.yml', () => {
  it('keeps routes, inhibition and globals as generated; only notifying receivers become the webhook', async () => {
    const generated = generatedAlertmanagerConfig(await generateStack({}));
    expect(generated, 'the mixin generates alertmanager.yml').toBeDefined();
    // With no overrides the generated config is the committed one (the mixin's staleness test keeps it so).
    expect(generated).toBe(await readFile(`${SHIPPED.alertmanagerDir}/alertmanager.yml`, 'utf8'));
    const shipped = YAML.parse(generated!);
    const d = deriveAlertmanagerConfig(generated!, SHIPPED.alertmanagerDir, (r) => `http://127.0.0.1:9/${r}`);
    const derived = YAML.parse(d.text);
    expect(derived.route).toEqual(shipped.route);
    expect(derived.inhibit_rules).toEqual(shipped.inhibit_rules);
    expect(derived.global).toEqual(shipped.global);
    expect(derived.receivers.map((r: { name: string }) => r.name)).toEqual(shipped.receivers.map((r: { name: string }) => r.name));
    for (const r of derived.receivers) {
      if (d.notifyingReceivers.includes(r.name))
        expect(r).toEqual({ name: r.name, webhook_configs: [{ url: `http://127.0.0.1:9/${r.name}`, send_resolved: true }] });
      else expect(Object.keys(r)).toEqual(['name']);
    }
    expect(d.silentReceivers.length, 'the info sink stays silent').toBeGreaterThan(0);
    for (const t of derived.templates) expect(t.startsWith(SHIPPED.alertmanagerDir)).toBe(true);
  });
});

describe('dashboard variable substitution', () => {
  const sub = {
    vars: { job: 'hostwatch', instance: promRegexEscape('127.0.0.1:9100'), inst: 'WRONG' },
    rateInterval: '1m',
    interval: '5s',
    rangeSeconds: 300,
  };

  it('substitutes every syntax Grafana accepts, longest name first', () => {
    expect(substitute('up{job=~"$job",instance=~"${instance}"}', sub)).toBe('up{job=~"hostwatch",instance=~"127\\\\.0\\\\.0\\\\.1:9100"}');
    expect(substitute('x{i=~"${instance:regex}"} [[job]]', sub)).toBe('x{i=~"127\\\\.0\\\\.0\\\\.1:9100"} hostwatch');
    expect(substitute('rate(x[$__rate_interval]) + increase(x[$__range]) + $__range_s + $__interval_ms', sub)).toBe(
      'rate(x[1m]) + increase(x[300s]) + 300 + 5000',
    );
    expect(substitute('$jobs $unknown', sub), 'no partial-name match, unknown left as is').toBe('$jobs $unknown');
  });

  it('reads label_values() variable queries', () => {
    expect(labelValuesQuery('label_values(hostwatch_build_info{job=~"$job"}, instance)')).toEqual({
      selector: 'hostwatch_build_info{job=~"$job"}',
      label: 'instance',
    });
    expect(labelValuesQuery('query_result(up)')).toBeUndefined();
  });
});
