// Golden tests: every fixture of real-world access-log lines goes through `hostwatch parse`'s code
// path (runParse) and must give exactly the committed *.expected.json. After a deliberate change,
// regenerate with UPDATE_GOLDEN=1 and review the diff line by line.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseOptions } from '../../../src/cli/parse.js';
import { parseRecords } from '../helpers.js';

const DIR = join(import.meta.dirname, '../../fixtures/access');
const CONFIG = join(DIR, 'hostwatch.yml');
const NGINX_TIMED =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_response_time';
const NGINX_MAIN =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
const APACHE_TIMED = '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D';

const CASES: { file: string; opts: Omit<ParseOptions, 'type'>; expected?: string }[] = [
  { file: 'nginx-combined.log', opts: { format: 'combined' } },
  { file: 'nginx-main.log', opts: { format: NGINX_MAIN } },
  { file: 'nginx-timed.log', opts: { format: NGINX_TIMED } },
  { file: 'apache-common.log', opts: { format: 'common' } },
  { file: 'apache-combined.log', opts: { format: 'combined' } },
  { file: 'apache-timed.log', opts: { format: APACHE_TIMED } },
  { file: 'nginx-json.log', opts: { configFile: CONFIG, log: 'nginx_json' } },
  { file: 'caddy.log', opts: { configFile: CONFIG, log: 'caddy' } },
  { file: 'traefik.log', opts: { configFile: CONFIG, log: 'traefik' } },
  // The presets give the same fields as the json_fields spelled out in hostwatch.yml.
  { file: 'caddy.log', opts: { format: 'caddy' }, expected: 'caddy.expected.json' },
  { file: 'traefik.log', opts: { format: 'traefik' }, expected: 'traefik.expected.json' },
];

async function parseFile(file: string, opts: Omit<ParseOptions, 'type'>): Promise<unknown[]> {
  return parseRecords(join(DIR, file), { type: 'access', ...opts });
}

describe('access parser golden fixtures', () => {
  for (const { file, opts, expected } of CASES) {
    it(`${file} (${opts.format ?? `--log ${opts.log}`})`, async () => {
      const got = await parseFile(file, opts);
      const lines = readFileSync(join(DIR, file), 'utf8').split('\n');
      expect(got).toHaveLength(lines.length - 1);
      const expectedFile = join(DIR, expected ?? file.replace(/\.log$/, '.expected.json'));
      if (process.env.UPDATE_GOLDEN && !expected) {
        writeFileSync(expectedFile, '[\n' + got.map((o) => '  ' + JSON.stringify(o)).join(',\n') + '\n]\n');
      }
      expect(got).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});
