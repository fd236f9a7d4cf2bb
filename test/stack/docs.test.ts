// Every alert has a runbook section its runbook_url points to, and is listed in docs/stack.md.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig } from '../../mixin/config.js';
import { REPO } from './tools.js';

const alerts = readdirSync(join(REPO, 'prometheus/rules')).flatMap((f) =>
  (parse(readFileSync(join(REPO, 'prometheus/rules', f), 'utf8')).groups as { rules: { alert?: string; annotations?: Record<string, string> }[] }[])
    .flatMap((g) => g.rules)
    .filter((r) => r.alert),
);
const runbook = readFileSync(join(REPO, 'docs/runbook.md'), 'utf8');
/** GitHub's anchors of the runbook headings. */
const anchors = new Set(
  [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')),
);

describe('alert documentation', () => {
  it('every runbook_url points at an existing runbook section', () => {
    const broken = alerts.filter((a) => {
      const url = a.annotations!.runbook_url;
      const [base, anchor] = url.split('#');
      return base !== defaultConfig.runbookBase || !anchors.has(anchor);
    });
    expect(broken.map((a) => `${a.alert}: ${a.annotations!.runbook_url}`)).toEqual([]);
    expect(anchors.has('escalation')).toBe(true);
  });

  it('every alert is in the list of docs/stack.md', () => {
    const stack = readFileSync(join(REPO, 'docs/stack.md'), 'utf8');
    const missing = [...new Set(alerts.map((a) => a.alert!))].filter((a) => !new RegExp(`\\b${a}\\b`).test(stack));
    expect(missing).toEqual([]);
  });
});
