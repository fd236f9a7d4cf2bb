// Sanity of the generated Grafana dashboards and of the provisioning that loads them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './tools.js';
import { panels } from './promql.js';

const DIR = join(REPO, 'grafana/dashboards');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dashboards = files.map((f) => ({ file: f, d: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as any }));
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

describe('grafana dashboards', () => {
  it('are the five dashboards, with stable unique uids matching their file names', () => {
    expect(dashboards.map(({ d }) => d.uid).sort()).toEqual([
      'hostwatch-exporter',
      'hostwatch-fleet',
      'hostwatch-host',
      'hostwatch-security',
      'hostwatch-web',
    ]);
    for (const { file, d } of dashboards) expect(file).toBe(`${d.uid}.json`);
    expect(new Set(dashboards.map(({ d }) => d.title)).size).toBe(dashboards.length);
  });

  it('have the datasource, job and instance variables (job/instance multi-select with All)', () => {
    for (const { d } of dashboards) {
      const vars = Object.fromEntries(d.templating.list.map((v: { name: string }) => [v.name, v]));
      expect(Object.keys(vars), d.uid).toEqual(['datasource', 'job', 'instance']);
      expect(vars.datasource.type).toBe('datasource');
      expect(vars.datasource.query).toBe('prometheus');
      for (const name of ['job', 'instance']) {
        expect(vars[name].type).toBe('query');
        expect(vars[name].multi).toBe(true);
        expect(vars[name].includeAll).toBe(true);
        expect(vars[name].datasource).toEqual(DATASOURCE);
      }
      expect(vars.instance.query.query).toContain('job=~"$job"');
    }
  });

  it('every panel and target uses the ${datasource} variable and filters on $job and $instance', () => {
    for (const { d } of dashboards) {
      for (const p of panels(d)) {
        const where = `${d.uid} / ${p.title}`;
        expect(p.datasource, where).toEqual(DATASOURCE);
        const targets = p.targets ?? [];
        expect(targets.length, where).toBeGreaterThan(0);
        for (const t of targets) {
          expect(t.datasource, where).toEqual(DATASOURCE);
          expect(t.expr, where).toMatch(/job=~"\$job",instance=~"\$instance"/);
        }
      }
    }
  });

  it('panels have unique ids and titles, a unit, and fit the 24-column grid without overlapping', () => {
    for (const { d } of dashboards) {
      const all = d.panels as {
        id: number;
        type: string;
        title: string;
        gridPos: { x: number; y: number; w: number; h: number };
        fieldConfig?: { defaults: { unit?: string } };
      }[];
      expect(new Set(all.map((p) => p.id)).size, d.uid).toBe(all.length);
      const content = all.filter((p) => p.type !== 'row');
      expect(new Set(content.map((p) => p.title)).size, d.uid).toBe(content.length);
      for (const p of content) expect(p.fieldConfig?.defaults.unit, `${d.uid} / ${p.title}`).toBeTruthy();
      for (const [i, a] of all.entries()) {
        expect(a.gridPos.x + a.gridPos.w, `${d.uid} / ${a.title}`).toBeLessThanOrEqual(24);
        for (const b of all.slice(i + 1)) {
          const overlap =
            a.gridPos.x < b.gridPos.x + b.gridPos.w &&
            b.gridPos.x < a.gridPos.x + a.gridPos.w &&
            a.gridPos.y < b.gridPos.y + b.gridPos.h &&
            b.gridPos.y < a.gridPos.y + a.gridPos.h;
          expect(overlap, `${d.uid}: "${a.title}" overlaps "${b.title}"`).toBe(false);
        }
      }
    }
  });

  it('the provisioning loads this folder and declares the Prometheus and Alertmanager data sources', () => {
    const provider = parse(readFileSync(join(REPO, 'grafana/provisioning/dashboards/hostwatch.yml'), 'utf8')).providers[0];
    const compose = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`./grafana/dashboards:${provider.options.path}:ro`);
    const ds = parse(readFileSync(join(REPO, 'grafana/provisioning/datasources/hostwatch.yml'), 'utf8')).datasources;
    expect(ds.map((d: { type: string }) => d.type).sort()).toEqual(['alertmanager', 'prometheus']);
    expect(ds.find((d: { type: string }) => d.type === 'prometheus').url).toBe('http://prometheus:9090');
  });
});
