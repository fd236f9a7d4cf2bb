// The shipped example rules (examples/patterns.yml) on real ClamAV and fail2ban log lines, through
// `hostwatch parse --type pattern`'s code path. Regenerate with UPDATE_GOLDEN=1 after a deliberate
// change, and review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runParse } from '../../../src/cli/parse.js';
import '../../../src/cli/parsers.js';

const ROOT = join(import.meta.dirname, '../../..');
const DIR = join(ROOT, 'test/fixtures/pattern');
const EXAMPLES = join(ROOT, 'examples/patterns.yml');

async function parseFile(file: string, log: string): Promise<unknown[]> {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await runParse(join(DIR, file), { type: 'pattern', configFile: EXAMPLES, log }, out);
  } finally {
    process.stderr.write = stderr;
  }
  return text.trimEnd().split('\n').map((l) => JSON.parse(l));
}

describe('pattern rules golden fixtures (examples/patterns.yml)', () => {
  for (const [file, log] of [['clamav.log', 'clamav'], ['fail2ban.log', 'fail2ban']]) {
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
