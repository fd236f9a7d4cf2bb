// `hostwatch parse --type access` as a user runs it: the real CLI in a child process.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_JS } from '../../support/main.js';

const ROOT = join(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/access');

function hostwatch(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [MAIN_JS, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hostwatch parse --type access', () => {
  it('parses a file with --format and prints one JSON object per line plus a summary', () => {
    const r = hostwatch(['parse', '--type', 'access', '--format', 'common', join(FIXTURES, 'apache-common.log')]);
    expect(r.code).toBe(0);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toEqual(JSON.parse(readFileSync(join(FIXTURES, 'apache-common.expected.json'), 'utf8')));
    expect(r.stderr).toContain('lines: 9, matched: 9, unmatched: 0');
  });

  it('reads stdin with "-", and takes format and json_fields from a configured log with --log', () => {
    const input = readFileSync(join(FIXTURES, 'traefik.log'), 'utf8');
    const r = hostwatch(['parse', '--type', 'access', '--config.file', join(FIXTURES, 'hostwatch.yml'), '--log', 'traefik', '-'], input);
    expect(r.code).toBe(0);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({
      n: 1,
      match: true,
      section: '/dashboard',
      method: 'GET',
      status: 200,
      bytes: 2345,
      duration_seconds: 0.003456789,
      source: '192.0.2.44',
    });
    expect(out[3]).toEqual({ n: 4, match: false });
    expect(r.stderr).toContain('lines: 4, matched: 3, unmatched: 1');
  });

  it('reports an unusable format and exits 1', () => {
    const r = hostwatch(['parse', '--type', 'access', '--format', '$remote_addr $status', '-'], '');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--format: the format has no request/);
  });
});
