// Every alert has a runbook section its runbook_url points to, and is listed in docs/stack.md.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig } from '../../mixin/config.js';
import { generate } from '../../mixin/generate.js';
import { REPO } from './tools.js';

const alerts = readdirSync(join(REPO, 'prometheus/rules')).flatMap((f) =>
  (
    parse(readFileSync(join(REPO, 'prometheus/rules', f), 'utf8')).groups as {
      rules: { alert?: string; annotations?: Record<string, string> }[];
    }[]
  )
    .flatMap((g) => g.rules)
    .filter((r) => r.alert),
);
const runbook = readFileSync(join(REPO, 'docs/runbook.md'), 'utf8');
/** GitHub's anchors of the runbook headings. */
const anchors = new Set(
  [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
    m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-'),
  ),
);

describe('alert documentation', () => {
  it('every runbook_url points at an existing runbook section', () => {
    const broken = alerts.filter((a) => {
      const url = a.annotations!.runbook_url;
      const [base, anchor] = url.split('#');
      return base !== defaultConfig.runbookBaseUrl || !anchors.has(anchor) || anchor !== a.alert!.toLowerCase();
    });
    expect(broken.map((a) => `${a.alert}: ${a.annotations!.runbook_url}`)).toEqual([]);
    expect(anchors.has('escalation')).toBe(true);
  });

  it('runbook_url is an absolute link, by default to docs/runbook.md on the project forge', () => {
    expect(defaultConfig.runbookBaseUrl).toBe('https://github.com/hostwatch/hostwatch/blob/main/docs/runbook.md');
    for (const a of alerts)
      expect(a.annotations!.runbook_url, a.alert).toMatch(
        /^https:\/\/github\.com\/hostwatch\/hostwatch\/blob\/main\/docs\/runbook\.md#[a-z0-9]+$/,
      );
  });

  it('one mixin setting moves every link; a relative base is refused', () => {
    const files = generate({ runbookBaseUrl: 'https://wiki.example.org/ops/hostwatch' });
    const rules = [...files]
      .filter(([f]) => f.startsWith('prometheus/rules/'))
      .map(([, text]) => text)
      .join('\n');
    const urls = [...rules.matchAll(/runbook_url: (.*)$/gm)].map((m) => m[1]);
    expect(urls.length).toBe(alerts.length);
    for (const u of urls) expect(u).toMatch(/^https:\/\/wiki\.example\.org\/ops\/hostwatch#[a-z0-9]+$/);
    // The promtool tests follow the same setting.
    const tests = [...files]
      .filter(([f]) => f.startsWith('prometheus/tests/'))
      .map(([, text]) => text)
      .join('\n');
    expect(tests).toContain('runbook_url: https://wiki.example.org/ops/hostwatch#');
    expect(tests).not.toContain('github.com/hostwatch');
    expect(() => generate({ runbookBaseUrl: 'docs/runbook.md' })).toThrow(/runbookBaseUrl: "docs\/runbook.md" is not an absolute URL/);
  });

  it('every alert is in the list of docs/stack.md', () => {
    const stack = readFileSync(join(REPO, 'docs/stack.md'), 'utf8');
    const missing = [...new Set(alerts.map((a) => a.alert!))].filter((a) => !new RegExp(`\\b${a}\\b`).test(stack));
    expect(missing).toEqual([]);
  });
});
