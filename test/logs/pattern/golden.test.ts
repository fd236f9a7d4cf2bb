// The shipped example rules (examples/patterns.yml) on real ClamAV and fail2ban log lines, through
// `hostwatch parse --type pattern`'s code path. Regenerate with UPDATE_GOLDEN=1 after a deliberate
// change, and review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecords } from '../helpers.js';

const ROOT = join(import.meta.dirname, '../../..');
const DIR = join(ROOT, 'test/fixtures/pattern');
const EXAMPLES = join(ROOT, 'examples/patterns.yml');

async function parseFile(file: string, log: string): Promise<unknown[]> {
  return parseRecords(join(DIR, file), { type: 'pattern', configFile: EXAMPLES, log });
}

describe('pattern rules golden fixtures (examples/patterns.yml)', () => {
  for (const [file, log] of [
    ['clamav.log', 'clamav'],
    ['fail2ban.log', 'fail2ban'],
  ]) {
    it(file, async () => {
      const got = await parseFile(file, log);
      expect(got).toHaveLength(readFileSync(join(DIR, file), 'utf8').split('\n').length - 1);
      const expectedFile = join(DIR, file.replace(/\.log$/, '.expected.json'));
      if (process.env.UPDATE_GOLDEN) {
        writeFileSync(expectedFile, '[\n' + got.map((o) => '  ' + JSON.stringify(o)).join(',\n') + '\n]\n');
      }
      expect(got).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});
