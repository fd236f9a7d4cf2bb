// `hostwatch top --log FILE` in a real terminal: a tmux session runs the built command line, the
// test appends access-log lines at a rate above the threshold and then stops, and reads the screen
// (capture-pane): the top sections and clients, the alert line, then the recovery line; q exits and
// leaves the session's alerts on the terminal. A short window, refresh and threshold (flags) keep it
// to seconds.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN_JS } from '../support/main.js';

const SOCKET = `hostwatch-top-test-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'hostwatch-top-'));
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'top');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: (text: string) => boolean, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let text = '';
  while (Date.now() < end) {
    text = screen();
    if (ok(text)) return text;
    await sleep(200);
  }
  throw new Error(`screen never showed ${what}:\n${text}`);
}

const line = (client: string, path: string, status: number) =>
  `${client} - - [30/Nov/2026:09:00:00 +0000] "GET ${path} HTTP/1.1" ${status} 512 "-" "curl/8.4.0"\n`;

afterAll(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(spawnSync('tmux', ['-V']).status === 0)('hostwatch top in tmux', () => {
  it('shows the top sections and clients, raises the alert above the threshold and recovers below it; q quits', async () => {
    const log = join(dir, 'access.log');
    writeFileSync(log, line('203.0.113.50', '/old', 200)); // before the start: not shown
    // A shell keeps the pane after hostwatch exits, so that what it prints at exit can be read.
    const cmd = `${process.execPath} ${MAIN_JS} top --log ${log} --refresh 1s --alert-window 3s --threshold 5 --rows 5; echo EXITED $?; sleep 60`;
    tmux('new-session', '-d', '-s', 'top', '-x', '110', '-y', '40', cmd);
    await waitFor('the screen', (t) => t.includes('hostwatch top') && t.includes('q: quit'));
    expect(screen()).toContain('No high-traffic alert');

    // Above: 12 requests a second (10 to /api by three clients, 2 to /shop) for 5 seconds.
    const feeder = setInterval(() => {
      let batch = '';
      for (let i = 0; i < 10; i++) batch += line(`192.0.2.${i % 3}`, `/api/items/${i}`, 200);
      batch += line('198.51.100.7', '/shop/cart', 404) + line('198.51.100.7', '/shop/pay', 503);
      appendFileSync(log, batch);
    }, 1000);
    let during: string;
    let text: string;
    try {
      during = await waitFor('the alert', (t) => t.includes('High traffic generated an alert - hits = '));
      // The top sections of an interval holding one batch: /api with its 10 hits first, then /shop.
      text = await waitFor('the top sections', (t) => /\/api\s+10\b/.test(t) && /\/shop\s+2\b/.test(t));
    } finally {
      clearInterval(feeder);
    }
    expect(text.indexOf('/api')).toBeLessThan(text.indexOf('/shop'));
    expect(text).toMatch(/192\.0\.2\.0\s+4\b/);
    expect(text).toMatch(/192\.0\.2\.1\s+3\b/);
    expect(text).toMatch(/198\.51\.100\.7\s+2\b/);
    expect(text).toMatch(/Status: 1xx 0%\s+2xx 83%\s+3xx 0%\s+4xx 8%\s+5xx 8%/);
    expect(text).not.toContain('/old');
    expect(during).toMatch(/High traffic generated an alert - hits = \d+(\.\d+)?, triggered at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
    const hits = Number(/hits = ([\d.]+), triggered/.exec(during)![1]);
    expect(hits).toBeGreaterThan(5);

    // Below: nothing more is written; the 3-second average falls under 5 and the alert recovers.
    const after = await waitFor('the recovery', (t) => t.includes('High traffic alert recovered - hits = '));
    expect(after).toMatch(/High traffic alert recovered - hits = [\d.]+, recovered at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
    expect(Number(/hits = ([\d.]+), recovered/.exec(after)![1])).toBeLessThan(5);
    // The history keeps both, in order.
    const history = after.slice(after.indexOf('Alert history'));
    expect(history.indexOf('generated an alert')).toBeLessThan(history.indexOf('alert recovered'));

    tmux('send-keys', '-t', 'top', 'q');
    const exited = await waitFor('the exit', (t) => t.includes('EXITED 0'));
    expect(exited).toContain('High traffic generated an alert');
    expect(exited).toContain('High traffic alert recovered');
  }, 60_000);
});
