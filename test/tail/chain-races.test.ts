// The rotation chain against listings caught mid-rotation, at every point of a restart's first
// pass (atTurn): both found by the torture beside a busy machine.
import { beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, linkSync, renameSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { atTurn, runOnce as runTailer, startTailer, tailerTests } from './helpers.js';
import type { TailerState } from '../../src/tail/checkpoint.js';

const t = tailerTests();
let log: string;
let n = 0;
beforeEach(() => {
  ({ log } = t);
  n = 0;
});

function write(count: number): string[] {
  const out = Array.from({ length: count }, () => `line ${String(n++).padStart(6, '0')} ${'x'.repeat(60)}`);
  appendFileSync(log, out.map((l) => l + '\n').join(''));
  return out;
}

/** logrotate's numbered scheme: .N to .N+1, the log to .1, a new empty log. */
function rotate(): void {
  for (let i = 8; i >= 1; i--) if (existsSync(`${log}.${i}`)) renameSync(`${log}.${i}`, `${log}.${i + 1}`);
  renameSync(log, `${log}.1`);
  writeFileSync(log, '');
}

/**
 * A restart from `state` with `step` run at the `at`-th turn of its first pass (or right after the
 * pass, when it ended first), then two more passes: the lines it read, the tailer stopped.
 */
async function restartWith(state: TailerState, at: number, step: () => void): Promise<string[]> {
  const turn = atTurn(at, step);
  const h = await startTailer([log], { restore: state });
  if (!turn.stop()) step();
  await h.tailer.poll();
  await h.tailer.poll();
  await h.tailer.stop();
  return h.lines;
}

describe('rotation chain caught mid-rotation', () => {
  it('a member never read, shifted by logrotate between the listing of the chain and its open: looked for again, read', async () => {
    // Found by the torture: a member renamed (.1 -> .2) between the listing and its open was left
    // alone as if it could not be read, and the chain counted as looked at: its lines waited for
    // the next rotation.
    for (let at = 0; at < 40; at++) {
      n = 0;
      write(20);
      const { state } = await runTailer([log]); // the checkpoint: A read to its end
      const expected: string[] = [];
      rotate();
      expected.push(...write(20)); // B, never read
      rotate();
      expected.push(...write(20)); // C at the path
      const step = () => {
        renameSync(`${log}.2`, `${log}.3`);
        renameSync(`${log}.1`, `${log}.2`);
      };
      const lines = await restartWith(state, at, step);
      expect(lines.sort(), `shifted at turn ${at}`).toEqual(expected.sort());
      for (const f of [log, `${log}.2`, `${log}.3`]) unlinkSync(f);
    }
  });

  it('a file found at the path after a restart, then rotated before the chain was looked at whole: the files before it are read', async () => {
    // Found by the torture (seed 37): the checkpointed file was deleted, the restart found the
    // file at the path and read it, but its chain could not be looked at (a listing caught
    // mid-rotation); rotated next, the file read was taken for the reference, and the rotated files
    // before it, never read, were left (3,000 lines).
    for (let at = 0; at < 40; at++) {
      n = 0;
      write(20);
      utimesSync(log, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000)); // written a minute ago
      const { state } = await runTailer([log]); // the checkpoint: A read to its end
      // While down: A gone (moved out of the chain: its inode is not reused), B written and rotated, C at the path.
      renameSync(log, path.join(path.dirname(log), 'gone'));
      writeFileSync(log, '');
      const expected = write(20);
      rotate();
      expected.push(...write(20));
      const step = () => {
        rotate();
        expected.push(...write(20)); // D
      };
      const lines = await restartWith(state, at, step);
      expect(lines.sort(), `rotated at turn ${at}`).toEqual(expected.sort());
      for (const f of [log, `${log}.1`, `${log}.2`, path.join(path.dirname(log), 'gone')]) unlinkSync(f);
    }
  });

  it('a restart whose checkpointed file stays pending (listings torn): the chain of the file found at the path is looked at', async () => {
    // Found by the torture (seed 37 again): the checkpointed file was still pending at the
    // restart's first pass, so nothing made the chain due, and the file found at the path was
    // taken for a first start's (a reference at once): the rotated file before it was never read.
    write(20);
    utimesSync(log, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const { state } = await runTailer([log]); // A, read to its end
    renameSync(log, path.join(path.dirname(log), 'gone')); // while down: A out of the chain
    writeFileSync(log, '');
    const expected = write(20); // B, never read
    rotate();
    expected.push(...write(20)); // C at the path
    linkSync(`${log}.1`, `${log}.3`); // B under two names: every listing of the chain looks torn
    const h = await startTailer([log], { restore: state });
    h.clock.advance(6000); // torn for the whole wait: acted upon
    await h.tailer.poll();
    await h.tailer.poll();
    expect(h.lines.sort()).toEqual(expected.sort());
  });
});
