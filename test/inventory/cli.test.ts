// `hostwatch inventory report` through the built entry point, as installed.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers.js';

import { MAIN_JS } from '../support/main.js';
const dir = mkdtempSync(join(tmpdir(), 'hostwatch-inventory-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN_JS, ...args], {
      cwd: dir,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('hostwatch inventory report', () => {
  const config = join(dir, 'hostwatch.yml');
  writeFileSync(config, `inventory:\n  directory: ${JSON.stringify(FIXTURES)}\n  stale_after: 30d\n`);

  it('prints the collector numbers as JSON', async () => {
    const r = await cli(['inventory', 'report', `--config.file=${config}`, '--output=json', '--at=2024-05-02T12:00:00Z']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.sources.map((s: { source: string; hosts: number; stale: number }) => [s.source, s.hosts, s.stale])).toEqual([
      ['crowdstrike', 7, 1],
      ['qualys', 12, 3],
      ['all', 17, 4],
    ]);
    expect(report.sources[2].by_age).toEqual({ '<7d': 3, '<30d': 1, '<90d': 1, older: 8, unknown: 4 });
    expect(report.duplicates).toEqual({ same_source: 2, cross_source: 2 });
    expect(report.os[0]).toEqual({ os: 'unknown', os_version: '', hosts: { crowdstrike: 1, qualys: 2, all: 3 } });
  });

  it('prints a table, and fails with a clear message on a broken export', async () => {
    const table = await cli(['inventory', 'report', `--config.file=${config}`, '--at=2024-05-02T12:00:00Z']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^all\s+17\s+3\s+1\s+1\s+8\s+4\s+4\s*$/m);
    expect(table.stdout).toMatch(/^windows_server\s+2012r2\s+0\s+1\s+1$/m);
    expect(table.stdout).toContain('1980 6 record limit exceeded');

    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'crowdstrike-1.json'), '{"resources": [{"device_id": "a"');
    const r = await cli(['inventory', 'report', `--config.file=${config}`, `--directory=${broken}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(broken, 'crowdstrike-1.json')}: JSON:`);
  });
});
