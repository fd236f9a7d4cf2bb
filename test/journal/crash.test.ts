// The journal crash test: the real exporter (a child process) follows a journal directory while
// the test appends N known sshd failures to real journal files (systemd-journal-remote), rotates
// them the way journald does (the active file archived under another name, a new one started, at
// run time and while the exporter is down) and kills the exporter with SIGKILL several times,
// restarting it each time. Every scrape's failure count must never go down, and at the end it must
// be exactly N: none lost, none counted twice after a crash.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExporterProcess, sumOf, untilCaughtUp } from '../logs/exporter-process.js';
import { tempDir } from '../tail/helpers.js';
import { syslogEntry, writeJournal } from './helpers.js';

let dir: string;
let cleanup: () => void;
let journalDir: string;
let child: ExporterProcess | undefined;
let written = 0;
let maxSeen = 0;
let archived = 0;

/** Appends `count` failures (each its own connection: one failure each) to the active journal file. */
function write(count: number): void {
  const entries = [];
  for (let i = 0; i < count; i++, written++) {
    const n = written;
    entries.push(
      syslogEntry(
        n,
        'sshd',
        10_000 + n,
        `Failed password for root from 10.1.${(n >> 8) & 255}.${n & 255} port ${20_000 + (n % 40_000)} ssh2`,
      ),
    );
  }
  writeJournal(path.join(journalDir, 'system.journal'), entries);
}

/** journald's rotation: the active file is archived under a new name, the next entries go to a new one. */
function rotate(): void {
  archived++;
  renameSync(
    path.join(journalDir, 'system.journal'),
    path.join(journalDir, `system@0000000000000000000000000000000${archived}-0000000000000001-0000000000000001.journal`),
  );
}

async function start(): Promise<void> {
  child = await ExporterProcess.start(path.join(dir, 'hostwatch.yml'), path.join(dir, 'state'));
}

async function kill(): Promise<void> {
  await child!.kill();
  child = undefined;
}

/** One scrape: the failures counted, checked never to go down (and source_up, once it is up). */
async function scrape(): Promise<number> {
  const text = await child!.metrics();
  const sum = sumOf(text, 'hostwatch_auth_failures_total');
  expect(sum, 'a scrape saw the count go down').toBeGreaterThanOrEqual(maxSeen);
  expect(sumOf(text, 'hostwatch_log_lines_total')).toBe(sum); // every entry is a failure, none unparsed
  maxSeen = sum;
  return sum;
}

async function caughtUp(): Promise<void> {
  await untilCaughtUp(scrape, written);
  expect(await child!.metrics()).toContain('hostwatch_log_source_up{log="auth"} 1');
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  journalDir = path.join(dir, 'journal');
  mkdirSync(journalDir);
  writeFileSync(
    path.join(dir, 'hostwatch.yml'),
    `logs:\n  - name: auth\n    type: auth\n    journal:\n      directory: ${JSON.stringify(journalDir)}\n      match: [SYSLOG_IDENTIFIER=sshd]\n    start_position: beginning\n`,
  );
});

afterAll(async () => {
  if (child) await kill();
  cleanup();
});

describe('journal crash test', () => {
  it('counts every entry exactly once across SIGKILLs and journal rotations', async () => {
    write(300);
    await start();
    await scrape();
    write(700);
    await scrape(); // a checkpoint while the exporter may still be reading the batch
    await kill(); // 1: killed mid-stream
    write(250); // written while down
    await start();
    await caughtUp();

    write(300);
    rotate(); // at run time
    write(400);
    await scrape();
    await kill(); // 2
    await start();
    await caughtUp();

    write(200);
    await kill(); // 3: then rotated while down
    rotate();
    write(350);
    await start();
    await scrape();
    write(150);
    await caughtUp();

    write(500);
    await new Promise((r) => setTimeout(r, 30));
    await kill(); // 4: killed right after a write, checkpoint or not
    await start();
    await caughtUp();

    // Caught up at N: a few more scrapes must not find more than N either.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(await scrape()).toBe(written);
    }
    expect(written).toBe(3150);
  }, 180_000);
});
