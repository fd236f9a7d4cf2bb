// The screen of `hostwatch top` rendered by ink-testing-library: what it shows, how it adapts to
// the terminal size, and q quitting. And the exporter never loading ink or React: no module the
// exporter imports statically imports them (only the top command, lazily).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { describe, expect, it } from 'vitest';
import { App, Model, TopView, type Screen } from '../../src/top/view.js';
import { IntervalCounter } from '../../src/top/traffic.js';

function screen(): Screen {
  const c = new IntervalCounter();
  for (let i = 0; i < 30; i++) c.request(`/s${i % 12}`, `192.0.2.${i % 15}`, i % 10 === 0 ? 500 : 200);
  c.failedLogin(4);
  c.blocked('198.51.100.1', 'source', 9);
  c.blocked('198.51.100.2', 'source', 2);
  return {
    source: '/var/log/nginx/access.log',
    refreshMs: 10_000,
    threshold: 10,
    windowMs: 120_000,
    interval: c.take(),
    average: 12.5,
    alert: { line: 'High traffic generated an alert - hits = 12.5, triggered at 2026-11-30 09:00:05Z', active: true },
    history: ['High traffic generated an alert - hits = 12.5, triggered at 2026-11-30 09:00:05Z'],
    rows: 10,
  };
}

describe('top screen', () => {
  it('shows requests/s, the average, the status mix, top sections and clients, security and the alert', () => {
    const { lastFrame } = render(h(TopView, { screen: screen(), columns: 100, rows: 40 }));
    const f = lastFrame()!;
    expect(f).toContain('Requests: 30 in the last 10s (3/s)');
    expect(f).toContain('2m average: 12.5/s (threshold 10/s)');
    expect(f).toMatch(/Status: 1xx 0%\s+2xx 90%\s+3xx 0%\s+4xx 0%\s+5xx 10%/);
    expect(f).toMatch(/\/s0\s+3\s+192\.0\.2\.0\s+2/); // two columns side by side
    expect(f).toContain('Failed logins: 4   FIM changed files: n/a');
    expect(f).toContain('Top blocked sources: 198.51.100.1 (9), 198.51.100.2 (2)');
    expect(f.match(/High traffic generated an alert/g)).toHaveLength(2); // current line and history
  });

  it('adapts to the terminal: one column when narrow, fewer rows when short', () => {
    const wide = render(h(TopView, { screen: screen(), columns: 100, rows: 40 })).lastFrame()!;
    const narrow = render(h(TopView, { screen: screen(), columns: 60, rows: 40 })).lastFrame()!;
    const short = render(h(TopView, { screen: screen(), columns: 100, rows: 20 })).lastFrame()!;
    const sectionRows = (f: string) => f.split('\n').filter((l) => /^\/s\d+ /.test(l)).length;
    expect(sectionRows(wide)).toBe(10);
    expect(narrow.indexOf('Top clients')).toBeGreaterThan(narrow.lastIndexOf('/s'));
    expect(Math.max(...narrow.split('\n').map((l) => l.length))).toBeLessThanOrEqual(60);
    expect(sectionRows(short)).toBeLessThan(10);
    expect(sectionRows(short)).toBeGreaterThan(0);
    expect(short.split('\n').length).toBeLessThanOrEqual(20);
  });

  it('redraws on model updates; q quits', async () => {
    const model = new Model({ ...screen(), alert: undefined, history: [] });
    const app = render(h(App, { model }));
    const tick = () => new Promise((r) => setTimeout(r, 100));
    await tick();
    expect(app.lastFrame()).toContain('No high-traffic alert');
    model.update({ alert: { line: 'High traffic alert recovered - hits = 2, recovered at x', active: false } });
    await tick();
    expect(app.lastFrame()).toContain('High traffic alert recovered');
    app.stdin.write('x'); // any other key does nothing
    await tick();
    model.update({ source: 'still running' });
    await tick();
    expect(app.lastFrame()).toContain('still running');
    app.stdin.write('q');
    await tick();
    // Unmounted: further updates do not render.
    model.update({ source: 'after-quit' });
    await tick();
    expect(app.lastFrame()).not.toContain('after-quit');
    expect(app.lastFrame()).toContain('still running');
  });
});

describe('the exporter does not load ink', () => {
  it('no module statically reachable from src/main.ts, the exporter or a collector imports ink or react', () => {
    const root = resolve(import.meta.dirname, '../../src');
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      // Static imports and re-exports only: `await import(...)` is what the top command uses.
      for (const m of text.matchAll(/^\s*(?:import|export)\s(?:type\s)?[^;]*?from\s+'([^']+)'/gm)) {
        if (/^import type|^export type/.test(m[0].trim())) continue;
        const spec = m[1];
        if (spec === 'ink' || spec === 'react' || spec.startsWith('ink/') || spec.startsWith('react/')) offenders.push(`${file}: ${spec}`);
        if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    };
    // The exporter action imports the exporter and the enabled collectors (their loaders in the list
    // of collectors): their static graphs are what a running exporter holds.
    visit(join(root, 'main.ts'));
    visit(join(root, 'exporter/exporter.ts'));
    for (const e of readdirSync(join(root, 'collectors'), { withFileTypes: true })) {
      if (e.isDirectory()) visit(join(root, 'collectors', e.name, 'index.ts'));
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(seen.has(join(root, 'cli/top-command.ts'))).toBe(true);
    expect(seen.has(join(root, 'top/view.ts'))).toBe(false);
    expect(offenders).toEqual([]);
  });
});
