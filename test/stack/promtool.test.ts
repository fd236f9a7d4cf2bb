// Prometheus config and the generated rules, checked and unit-tested with the real promtool.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generate, writeGenerated } from '../../mixin/generate.js';
import { REPO, expectOk, run } from './tools.js';

const ruleFiles = readdirSync(join(REPO, 'prometheus/rules')).map((f) => `prometheus/rules/${f}`);
const testFiles = readdirSync(join(REPO, 'prometheus/tests')).filter((f) => f.endsWith('.test.yml'));
const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-promtool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('promtool', () => {
  it('check config: prometheus.yml and the rule files it loads', async () => {
    const r = await run('promtool', ['check', 'config', 'prometheus/prometheus.yml']);
    expectOk(r, 'promtool check config');
    // The rule_files glob must really load the generated rules (a wrong relative path finds none).
    for (const f of ruleFiles) expect(r.stdout + r.stderr).toContain(f);
  });

  it('check rules: every generated rule file', async () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(5);
    expectOk(await run('promtool', ['check', 'rules', ...ruleFiles]), 'promtool check rules');
  });

  it('test rules: the generated unit tests pass', async () => {
    // One promtool per file, in parallel (the anomaly tests replay a day of samples).
    const results = await Promise.all(testFiles.map((f) => run('promtool', ['test', 'rules', f], { cwd: join(REPO, 'prometheus/tests') })));
    results.forEach((r, i) => {
      expectOk(r, `promtool test rules ${testFiles[i]}`);
      expect(r.stdout).toContain('SUCCESS');
    });
    // One test file per alerting rule file (the recording rules are tested through them).
    expect(testFiles.length).toBe(ruleFiles.length - 1);
  }, 120_000);

  it('every alert has a test where it fires and one where it must not', () => {
    const alerts = new Set<string>();
    for (const f of ruleFiles) {
      for (const g of parse(readFileSyncUtf8(f)).groups) for (const r of g.rules) if (r.alert) alerts.add(r.alert);
    }
    const fires = new Set<string>();
    const silent = new Set<string>();
    for (const f of testFiles) {
      for (const t of parse(readFileSyncUtf8(`prometheus/tests/${f}`)).tests) {
        for (const a of t.alert_rule_test ?? []) (a.exp_alerts.length > 0 ? fires : silent).add(a.alertname);
      }
    }
    expect([...alerts].filter((a) => !fires.has(a))).toEqual([]);
    expect([...alerts].filter((a) => !silent.has(a))).toEqual([]);
    expect(alerts.size).toBeGreaterThanOrEqual(30);
  });

  it('the unit tests catch a broken threshold (they test the rules, not themselves)', async () => {
    // Generate rules with a HighTraffic threshold of 100 req/s but keep the shipped tests (written
    // for 10 req/s): promtool must fail on the "fires" case.
    const dir = join(tmp, 'mutant');
    cpSync(join(REPO, 'prometheus'), dir, { recursive: true });
    const mutant = generate({ traffic: { high: { requestsPerSecond: 100 } } });
    const rules = mutant.get('prometheus/rules/hostwatch-traffic.yml')!;
    writeFileSync(join(dir, 'rules/hostwatch-traffic.yml'), rules);
    const r = await run('promtool', ['test', 'rules', 'hostwatch-traffic.test.yml'], { cwd: join(dir, 'tests') });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('HighTraffic: fires above the threshold');
  });

  it('the generated rules with overrides (as the e2e suite uses them) still check', async () => {
    const dir = join(tmp, 'short');
    writeGenerated(
      generate({ traffic: { high: { window: '20s' } }, security: { bruteForce: { window: '30s' } }, host: { down: { for: '5s' } } }),
      dir,
    );
    const files = readdirSync(join(dir, 'prometheus/rules')).map((f) => join(dir, 'prometheus/rules', f));
    expectOk(await run('promtool', ['check', 'rules', ...files]), 'promtool check rules (overrides)');
  });
});

function readFileSyncUtf8(rel: string): string {
  return readFileSync(join(REPO, rel), 'utf8');
}
