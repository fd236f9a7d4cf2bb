// The state directory on a full file system (a real 64 KiB tmpfs, mounted as root): a checkpoint
// write that fails leaves no temp file behind (it would hold the last free blocks and make the
// other logs' writes fail too), is counted in hostwatch_checkpoint_errors_total, keeps the previous
// checkpoint intact and the metrics at it; counting goes on, and the next write after space comes
// back publishes every line, once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import type { LogsCollector } from '../../src/collectors/logs/index.js';
import { tempDir } from '../tail/helpers.js';
import { startLogs } from './helpers.js';

/** Mounts a tmpfs of `size` on `dir`; false when this machine does not let us (not root, no mount). */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const { dir, cleanup } = tempDir();
  const ok = mountTmpfs(dir, '64k');
  if (ok) execFileSync('umount', [dir]);
  cleanup();
  return ok;
})();

let dir: string;
let cleanup: () => void;
let state: string;
let mounted = false;
const started: LogsCollector[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  state = path.join(dir, 'state');
  mkdirSync(state);
  mounted = mountTmpfs(state, '64k');
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop().catch(() => {})));
  if (mounted) execFileSync('umount', [state]);
  cleanup();
});

/** Combined-format lines, each of its own section when `sections` (so the handler state grows). */
function lines(count: number, from: number, sections: boolean): string {
  let s = '';
  for (let i = from; i < from + count; i++) {
    const p = sections ? `/section${i}/x` : '/x';
    s += `10.0.0.1 - - [23/Nov/2026:16:00:00 +0000] "GET ${p} HTTP/1.1" 200 10 "-" "t"\n`;
  }
  return s;
}

const value = (text: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
const requests = (text: string, log: string) =>
  [...text.matchAll(new RegExp(`^hostwatch_http_requests_total\\{[^}]*log="${log}"[^}]*\\} (\\S+)$`, 'gm'))].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );

describe.skipIf(!canMount)('checkpoints on a full file system', () => {
  it('a failed write leaves no temp file, keeps the previous checkpoint, does not hurt the other log; counting goes on', async () => {
    const big = path.join(dir, 'big.log');
    const small = path.join(dir, 'small.log');
    writeFileSync(big, lines(20, 0, true));
    writeFileSync(small, lines(5, 0, false));
    const clock = new ManualClock();
    const { c, metrics } = await startLogs(
      [
        { name: 'big', type: 'access', path: big, format: 'combined', start_position: 'beginning', max_sections: 2000 },
        { name: 'small', type: 'access', path: small, format: 'combined', start_position: 'beginning' },
      ],
      dir,
      clock,
      started,
    );
    // One log after the other, big first: what is tested is what a failed write leaves behind for
    // the next writer, not two writes racing for the last blocks.
    const scrape = async () => {
      for (const p of c.pipelines) {
        await p.poll();
        await p.checkpoint();
      }
      return metrics();
    };
    await scrape();
    const cps = path.join(state, 'checkpoints');
    const bigBefore = readFileSync(path.join(cps, 'big.json'), 'utf8');

    // Fill the file system but for 8 KiB: room for the small log's checkpoint, not the big one's.
    const { bavail, bsize } = statfsSync(state);
    writeFileSync(path.join(state, 'filler'), Buffer.alloc(Number(bavail) * Number(bsize) - 8192));
    appendFileSync(big, lines(150, 20, true)); // 150 new sections: a checkpoint of 20+ KiB
    appendFileSync(small, lines(7, 5, false));
    let text = await scrape();
    expect(readdirSync(cps).sort()).toEqual(['big.json', 'small.json']); // no big.json.tmp left
    expect(value(text, 'hostwatch_checkpoint_errors_total{log="big"}')).toBe(1);
    expect(value(text, 'hostwatch_checkpoint_errors_total{log="small"}')).toBe(0);
    expect(requests(text, 'small')).toBe(12); // the other log's write went through
    expect(requests(text, 'big')).toBe(20); // still the last durable state
    expect(readFileSync(path.join(cps, 'big.json'), 'utf8')).toBe(bigBefore);

    appendFileSync(big, lines(5, 170, true)); // counting goes on meanwhile
    text = await scrape();
    expect(value(text, 'hostwatch_checkpoint_errors_total{log="big"}')).toBe(2);
    expect(readdirSync(cps).sort()).toEqual(['big.json', 'small.json']);

    rmSync(path.join(state, 'filler'));
    text = await scrape();
    expect(requests(text, 'big')).toBe(175);
    expect(JSON.parse(readFileSync(path.join(cps, 'big.json'), 'utf8')).counters.parsed).toBe(175);
  });
});
