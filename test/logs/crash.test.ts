// The crash test: the real exporter (a child process) tails an access log while the test appends
// N known lines, rotates the file (rename+create and copytruncate, at run time and while the
// exporter is down) and kills the exporter with SIGKILL several times, restarting it each time.
// Every scrape's sum(hostwatch_http_requests_total) must never go down, and at the end it must be
// exactly N: no line lost at a rotation, none counted twice after a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../tail/helpers.js';
import { ExporterProcess, sumOf, untilCaughtUp } from './exporter-process.js';

let dir: string;
let cleanup: () => void;
let log: string;
let child: ExporterProcess | undefined;
let written = 0;
let maxSeen = 0;
let rotations = 0;

function line(n: number): string {
  const method = ['GET', 'POST', 'PUT', 'DELETE'][n % 4];
  return `10.0.${(n >> 8) & 255}.${n & 255} - - [23/Nov/2026:16:${String(((n / 1000) % 60) | 0).padStart(2, '0')}:00 +0000] "${method} /s${n % 7}/item/${n} HTTP/1.1" ${[200, 301, 404, 500][n % 4]} ${n % 5000} "-" "crash-test/1.0"`;
}

function write(count: number): void {
  let s = '';
  for (let i = 0; i < count; i++) s += line(written++) + '\n';
  appendFileSync(log, s);
}

async function startExporter(): Promise<void> {
  child = await ExporterProcess.start(path.join(dir, 'hostwatch.yml'), path.join(dir, 'state'));
}

async function kill(): Promise<void> {
  await child!.kill();
  child = undefined;
}

/** One scrape: the sum of the request counters, checked never to go down. */
async function scrape(): Promise<number> {
  const sum = sumOf(await child!.metrics(), 'hostwatch_http_requests_total');
  expect(sum, 'a scrape saw the sum go down').toBeGreaterThanOrEqual(maxSeen);
  maxSeen = sum;
  return sum;
}

/** Scrapes until every written line is counted (the exporter caught up). */
const caughtUp = () => untilCaughtUp(scrape, written);

function rotate(mode: 'rename' | 'copytruncate'): void {
  rotations++;
  if (mode === 'rename') {
    renameSync(log, `${log}.${rotations}`);
    writeFileSync(log, '');
  } else {
    copyFileSync(log, `${log}.${rotations}`);
    truncateSync(log, 0);
  }
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  log = path.join(dir, 'access.log');
  writeFileSync(log, '');
  writeFileSync(
    path.join(dir, 'hostwatch.yml'),
    `logs:\n  - name: web\n    type: access\n    path: ${JSON.stringify(log)}\n    format: combined\n    start_position: beginning\n    poll_interval: 100ms\n`,
  );
});

afterAll(async () => {
  if (child) await kill();
  cleanup();
});

describe('crash test', () => {
  it('counts every line exactly once across SIGKILLs and rotations', async () => {
    await startExporter();
    write(2000);
    await scrape();
    write(3000);
    await scrape(); // a checkpoint while the exporter may still be reading the batch
    await kill(); // 1: killed mid-stream
    write(1500); // written while down
    await startExporter();
    await caughtUp();

    write(2000);
    rotate('rename'); // at run time, with lines not read yet in the renamed file
    write(2000);
    await scrape();
    await kill(); // 2
    await startExporter();
    await caughtUp();

    write(2500);
    rotate('copytruncate'); // at run time, the unread end only exists in the copy
    write(1000);
    await scrape();
    write(1000);
    await kill(); // 3
    write(500);
    await startExporter();
    await caughtUp();

    write(1000);
    await kill(); // 4: then rotated while down
    rotate('rename');
    write(1500);
    await startExporter();
    await scrape();
    write(1000);
    await caughtUp();

    write(1000);
    await scrape();
    await kill(); // 5: copytruncate while down
    write(700);
    rotate('copytruncate');
    write(800);
    await startExporter();
    await caughtUp();

    // Caught up at N: a few more scrapes must not find more than N either.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(await scrape()).toBe(written);
    }
    expect(written).toBe(21_500);
  }, 180_000);
});
