// The textfile collector against node_exporter itself (Debian's prometheus-node-exporter): each
// fixture of test/fixtures/textfile, alone in the directory, is read by both; both must accept or
// refuse it alike (hostwatch_textfile_scrape_error = node_textfile_scrape_error) and export the same
// series with the same values, so that the files scripts write for node_exporter work unchanged.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { series, textfileRunner } from './textfile-helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/textfile/', import.meta.url));
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
/** Series of the exporters themselves rather than of the files. */
const OWN = /^(node_|hostwatch_|go_|process_|promhttp_|nodejs_)/;

let dir: string;
let child: ChildProcess;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function scrapeNodeExporter(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-textfile-'));
  port = await freePort();
  child = spawn(
    NODE_EXPORTER,
    [
      '--collector.disable-defaults',
      '--collector.textfile',
      `--collector.textfile.directory=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; ; i++) {
    try {
      await scrapeNodeExporter();
      return;
    } catch (err) {
      if (i > 100 || child.exitCode !== null) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 20_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const fixtures = (await readdir(FIXTURES)).filter((f) => f.endsWith('.prom')).sort();

describe('textfile collector and node_exporter read the same files alike', () => {
  it('has fixtures that both accept and fixtures that both refuse', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s', async (name) => {
    for (const f of await readdir(dir)) await rm(join(dir, f));
    await copyFile(join(FIXTURES, name), join(dir, name));
    const theirs = await scrapeNodeExporter();
    const ours = await textfileRunner(dir).scrape();

    const theirError = series(theirs).get('node_textfile_scrape_error{}');
    expect(theirError).toMatch(/^[01]$/);
    expect(series(ours).get('hostwatch_textfile_scrape_error{}'), 'scrape error').toBe(theirError);
    // The mtime series exists exactly for a file that was read.
    expect(series(ours).has(`hostwatch_textfile_mtime_seconds{file="${join(dir, name)}"}`)).toBe(theirError === '0');
    expect(series(theirs).has(`node_textfile_mtime_seconds{file="${join(dir, name)}"}`)).toBe(theirError === '0');

    const keep = (n: string) => !OWN.test(n);
    expect([...series(ours, keep)].sort()).toEqual([...series(theirs, keep)].sort());
    if (theirError === '0' && name !== 'empty.prom') expect(series(ours, keep).size).toBeGreaterThan(0);
  });
});
