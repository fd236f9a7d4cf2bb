import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { updateReadme, configReference, metricsReference } from '../../scripts/readme-reference.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README reference sections', () => {
  it('are generated from the current schema and collectors (run `npm run docs` when this fails)', () => {
    expect(updateReadme(readme)).toBe(readme);
  });

  it('document every config section and the contract metric names', () => {
    const ref = configReference();
    for (const key of ['`host.updates.interval`', '`fim.roots[].critical`', '#### `type: access`', '#### `type: pattern`']) {
      expect(ref).toContain(key);
    }
    expect(metricsReference()).toContain('`hostwatch_build_info`');
  });
});
