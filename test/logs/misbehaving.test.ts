// Files misbehaving under the real exporter: the log directory removed and recreated, permission
// removed while running (reported in hostwatch_log_file_errors, picked up when fixed) and across a
// restart, the log directory unavailable at start, a truncated or garbage checkpoint at start.
// Permission cases run the exporter through setpriv without the capabilities that let root read
// anything, so that a mode-000 file is really unreadable to it. Every line is counted once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../tail/helpers.js';
import { ExporterProcess, sumOf, valueOf } from './exporter-process.js';

let dir: string;
let cleanup: () => void;
let logDir: string;
let log: string;
let config: string;
let stateDir: string;
let written = 0;
const running: ExporterProcess[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  logDir = path.join(dir, 'app');
  mkdirSync(logDir);
  log = path.join(logDir, 'access.log');
  stateDir = path.join(dir, 'state');
  config = path.join(dir, 'hostwatch.yml');
  writeFileSync(
    config,
    `logs:\n  - name: web\n    type: access\n    path: ${JSON.stringify(log)}\n    format: combined\n    start_position: beginning\n    poll_interval: 200ms\n`,
  );
  written = 0;
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.kill()));
  chmodSync(dir, 0o700);
  cleanup();
});

function write(count: number, file = log): void {
  let s = '';
  for (let i = 0; i < count; i++, written++)
    s += `10.0.0.${written % 250} - - [23/Nov/2026:16:00:00 +0000] "GET /m/${written} HTTP/1.1" 200 ${written} "-" "t"\n`;
  appendFileSync(file, s);
}

async function start(opts: { permissionsApply?: boolean } = {}): Promise<ExporterProcess> {
  const e = await ExporterProcess.start(config, stateDir, opts);
  running.push(e);
  return e;
}

/** Polls `check` until it is true (a loaded machine is slow, not wrong); false after 30 s. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** Lines counted, all results. */
const counted = async (e: ExporterProcess) => sumOf(await e.metrics(), 'hostwatch_log_lines_total');
const reaches = (e: ExporterProcess, n: number) => eventually(async () => (await counted(e)) === n);
const problem = async (e: ExporterProcess, reason: string) =>
  valueOf(await e.metrics(), `hostwatch_log_file_errors{log="web",reason="${reason}"}`);
const stderr = (e: ExporterProcess) => e.stderr.join('');
/** Holds for a while: nothing more gets counted (no line twice). */
async function stays(e: ExporterProcess, n: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 1500));
  expect(await counted(e)).toBe(n);
}

describe('files misbehaving under the real exporter', () => {
  it('the log directory removed and recreated while running', async () => {
    write(100);
    const e = await start();
    expect(await reaches(e, 100)).toBe(true);
    rmSync(logDir, { recursive: true });
    await new Promise((r) => setTimeout(r, 500));
    mkdirSync(logDir);
    write(50);
    expect(await reaches(e, 150)).toBe(true);
    await stays(e, 150);
    expect(await problem(e, 'gone')).toBe(0);
  }, 120_000);

  it('permission removed while running: reported in the metrics, picked up when fixed', async () => {
    write(100);
    const e = await start({ permissionsApply: true });
    expect(await reaches(e, 100)).toBe(true);
    // Rotated, and the new file created unreadable (a logrotate `create` with the wrong mode), with
    // that mode from its creation: created, then chmod'ed, it could be opened in between (the
    // exporter watches the directory), and no permission problem would ever be seen.
    renameSync(log, `${log}.1`);
    writeFileSync(log, '', { mode: 0 });
    write(40);
    expect(await eventually(async () => (await problem(e, 'permission_denied')) === 1)).toBe(true);
    expect(await counted(e)).toBe(100);
    chmodSync(log, 0o644);
    expect(await reaches(e, 140)).toBe(true);
    expect(await eventually(async () => (await problem(e, 'permission_denied')) === 0)).toBe(true);
    // The directory made unreadable: reported; the open file is still read meanwhile.
    chmodSync(logDir, 0);
    expect(await eventually(async () => (await problem(e, 'permission_denied')) === 1)).toBe(true);
    write(10);
    expect(await reaches(e, 150)).toBe(true);
    chmodSync(logDir, 0o755);
    expect(await eventually(async () => (await problem(e, 'permission_denied')) === 0)).toBe(true);
    await stays(e, 150);
    expect(stderr(e)).toMatch(/level=warn msg="cannot read a log file or directory: permission denied"/);
  }, 120_000);

  it('the file unreadable (chmod 000) across a restart: kept pending, read on from its checkpoint when fixed', async () => {
    write(100);
    let e = await start({ permissionsApply: true });
    expect(await reaches(e, 100)).toBe(true);
    await e.kill('SIGTERM');
    write(50);
    chmodSync(log, 0);
    e = await start({ permissionsApply: true });
    expect(await eventually(async () => (await problem(e, 'permission_denied')) === 1)).toBe(true);
    expect(await counted(e)).toBe(100);
    chmodSync(log, 0o644);
    expect(await reaches(e, 150)).toBe(true);
    await stays(e, 150);
  }, 120_000);

  it('the log directory unavailable at start and back later: kept pending, nothing counted twice', async () => {
    write(100);
    let e = await start();
    expect(await reaches(e, 100)).toBe(true);
    await e.kill();
    write(30);
    renameSync(logDir, `${logDir}.off`);
    e = await start();
    expect(await eventually(async () => (await problem(e, 'gone')) === 1)).toBe(true);
    expect(await counted(e)).toBe(100);
    renameSync(`${logDir}.off`, logDir);
    write(20);
    expect(await reaches(e, 150)).toBe(true);
    await stays(e, 150);
    expect(await problem(e, 'gone')).toBe(0);
  }, 120_000);

  it.each([
    ['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['garbage', () => '\u0000\u00ff\u0013garbage{{{'],
  ])(
    'a %s checkpoint at start: reported, moved aside, counting restarts from start_position; never a crash',
    async (_what, damage) => {
      write(100);
      let e = await start();
      expect(await reaches(e, 100)).toBe(true);
      await e.kill('SIGTERM');
      const file = path.join(stateDir, 'checkpoints', 'web.json');
      writeFileSync(file, damage(readFileSync(file, 'utf8')));
      write(20);
      e = await start();
      // start_position: beginning, the documented position: the file is read again from its start,
      // and the counters, restarted from zero, count each of its lines once.
      expect(await reaches(e, 120)).toBe(true);
      expect(valueOf(await e.metrics(), 'hostwatch_checkpoint_unusable{log="web"}')).toBe(1);
      expect(stderr(e)).toMatch(/level=error msg="checkpoint unusable, moved aside; the log restarts from start_position"/);
      expect(readdirSync(path.join(stateDir, 'checkpoints')).some((n) => n.startsWith('web.json.corrupt-'))).toBe(true);
      await stays(e, 120);
    },
    120_000,
  );
});
