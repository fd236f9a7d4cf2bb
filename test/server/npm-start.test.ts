// `npm start` for real: npm runs the prestart build check, then the exporter; stopping npm must stop
// the exporter too, whether npm is asked to stop (SIGTERM, which npm forwards) or killed outright
// (SIGKILL: the exporter notices that its parent is gone). Runs the real npm on the real package.json,
// with a temp config, state dir and an ephemeral port.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { get } from './http-get.js';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
const started: ChildProcess[] = [];
/** Exporters found under npm: killed after each test in case the test failed to stop them. */
const exporters: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-npm-start-'));
  await writeFile(join(dir, 'empty.yml'), '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of exporters.splice(0)) if (!exited(pid)) process.kill(pid, 'SIGKILL');
});

/** Parent pid and state of a process from /proc/<pid>/stat; undefined once it is gone (reaped). */
function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), state };
  } catch {
    return undefined;
  }
}

/** Whether the process has exited: gone, or a zombie not reaped yet by its new parent. */
const exited = (pid: number) => (procStat(pid)?.state ?? 'Z') === 'Z';

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `npm start` with a temp config; resolves once the exporter listens, with its pid and port. */
async function npmStart(state: string) {
  const npm = spawn(
    'npm',
    [
      'start',
      '--',
      `--config.file=${join(dir, 'empty.yml')}`,
      '--web.listen-address=127.0.0.1:0',
      `--state.dir=${join(dir, state)}`,
      '--no-collector.logs',
      '--no-collector.fim',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.push(npm);
  let output = '';
  npm.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  npm.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const npmExit = new Promise<void>((r) => npm.on('exit', () => r()));
  // The first `npm start` of a checkout builds dist/ (prestart) before the exporter starts.
  await until('hostwatch listening', () => /msg="hostwatch listening"/.test(output) || npm.exitCode !== null, 110_000);
  expect(output).toMatch(/msg="hostwatch listening"/);
  const port = Number(/msg="hostwatch listening" address=\S+:(\d+)/.exec(output)![1]);
  // The exporter is npm's child, found by its state dir on the command line (no shell in between).
  const exporter = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && procStat(Number(p))?.ppid === npm.pid)
    .map(Number)
    .find((p) => existsSync(`/proc/${p}/cmdline`) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(join(dir, state)));
  expect(exporter, `npm's children: ${output}`).toBeDefined();
  exporters.push(exporter!);
  expect(readFileSync(`/proc/${exporter}/cmdline`, 'utf8').split('\0')[0]).toMatch(/(^|\/)node$/);
  expect((await get(port, '/metrics')).status).toBe(200);
  return { npm, npmExit, exporter: exporter!, port, output: () => output };
}

describe('npm start', () => {
  it('SIGTERM to npm stops the exporter cleanly', async () => {
    const s = await npmStart('term');
    s.npm.kill('SIGTERM');
    await until('the exporter to exit', () => exited(s.exporter), 5000);
    await s.npmExit;
    expect(s.output()).toMatch(/msg="shutting down" signal=SIGTERM/);
    await expect(get(s.port, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
  }, 120_000);

  it('when npm is killed (SIGKILL), the exporter notices within seconds and exits cleanly', async () => {
    const s = await npmStart('kill');
    s.npm.kill('SIGKILL');
    await s.npmExit;
    await until('the exporter to exit', () => exited(s.exporter), 5000);
    expect(s.output()).toMatch(/msg="shutting down" reason="parent exited"/);
    await expect(get(s.port, '/metrics')).rejects.toThrow(/ECONNREFUSED/);
  }, 120_000);
});
