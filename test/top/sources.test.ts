// The two sources of `hostwatch top`: access logs followed from their end (through rotation and
// truncation), and a running exporter's /metrics (basic auth, bearer token, counter resets), with
// real files and a real HTTP server.
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogSource } from '../../src/top/log-source.js';
import { MetricsSource, parseExposition } from '../../src/top/metrics-source.js';
import { IntervalCounter, topEntries } from '../../src/top/traffic.js';
import { makePki } from '../server/certs.js';

const dirs: string[] = [];
const servers: http.Server[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const s of servers.splice(0)) s.close();
});

const line = (client: string, path: string, status = 200) =>
  `${client} - - [30/Nov/2026:09:00:00 +0000] "GET ${path} HTTP/1.1" ${status} 5 "-" "-"\n`;

describe('top: log source', () => {
  it('reads what is appended after the start, across rotation and truncation, waiting for whole lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostwatch-top-src-'));
    dirs.push(dir);
    const log = join(dir, 'access.log');
    const auth = join(dir, 'auth.log');
    const fw = join(dir, 'ufw.log');
    writeFileSync(log, line('203.0.113.1', '/before'));
    writeFileSync(auth, '');
    writeFileSync(fw, '');
    const counter = new IntervalCounter();
    const hits: number[] = [];
    const src = new LogSource({
      access: [log],
      format: 'combined',
      auth: [auth],
      firewall: [fw],
      counter,
      onHits: (n) => hits.push(n),
      now: () => Date.now(),
    });
    await src.start();
    appendFileSync(
      log,
      line('192.0.2.1', '/a/1') +
        line('192.0.2.1', '/a/2', 404) +
        line('192.0.2.2', '/b') +
        'garbage\n' +
        line('192.0.2.3', '/c').slice(0, 20),
    );
    await src.poll();
    expect(hits).toEqual([3]);
    appendFileSync(log, line('192.0.2.3', '/c').slice(20)); // the rest of the partial line
    await src.poll();
    renameSync(log, log + '.1'); // rotation: the new file is read from its start
    appendFileSync(log + '.1', line('192.0.2.9', '/late')); // written to the old file before the switch
    writeFileSync(log, line('192.0.2.4', '/d'));
    await src.poll();
    truncateSync(log, 0); // copytruncate (seen as a file shorter than what was read)
    await src.poll();
    appendFileSync(log, line('192.0.2.5', '/e'));
    await src.poll();
    appendFileSync(auth, 'Nov 30 09:00:01 host sshd[123]: Failed password for root from 198.51.100.9 port 4242 ssh2\n');
    appendFileSync(
      fw,
      'Nov 30 09:00:01 host kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=198.51.100.66 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=4444 DPT=22 WINDOW=1 RES=0x00 SYN URGP=0\n',
    );
    await src.poll();
    await src.close();
    const iv = counter.take();
    expect(iv.total).toBe(7);
    expect(Object.fromEntries(iv.sections)).toEqual({ '/a': 2, '/b': 1, '/c': 1, '/late': 1, '/d': 1, '/e': 1 });
    expect(topEntries(iv.clients, 1)).toEqual([['192.0.2.1', 2]]);
    expect(iv.status).toEqual([0, 6, 0, 1, 0]);
    expect(iv.failedLogins).toBe(1);
    expect(Object.fromEntries(iv.blocked!)).toEqual({ '198.51.100.66': 1 });
    expect(counter.take().total).toBe(0); // take() starts a new interval
  });
});

function exporter(check: (req: http.IncomingMessage) => boolean): { url: Promise<string>; body: { text: string } } {
  const body = { text: '' };
  const server = http.createServer((req, res) => {
    if (!check(req)) return void res.writeHead(401).end('unauthorized');
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body.text);
  });
  servers.push(server);
  const url = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)),
  );
  return { url, body };
}

const metrics = (api2xx: number, shop5xx: number, client: number, auth: number, fim: number) => `# HELP hostwatch_http_requests_total x
# TYPE hostwatch_http_requests_total counter
hostwatch_http_requests_total{log="web",section="/api",method="GET",status="2xx"} ${api2xx}
hostwatch_http_requests_total{log="web",section="/shop",method="POST",status="5xx"} ${shop5xx}
hostwatch_http_client_requests_total{log="web",client="192.0.2.1"} ${client}
hostwatch_http_client_requests_total{log="web",client="__other__"} 3
hostwatch_auth_failures_total{log="auth",service="sshd",reason="password"} ${auth}
hostwatch_firewall_blocked_ports_total{log="fw",port="22"} 7
hostwatch_fim_changed_files{root="/etc",change="modified"} ${fim}
hostwatch_http_requests_total_other{log="x"} 99
`;

describe('top: metrics source', () => {
  it('counts the increase since the previous scrape, with basic auth; a reset counter counts its new value', async () => {
    const auth = `Basic ${Buffer.from('top:s3cret').toString('base64')}`;
    const e = exporter((req) => req.headers.authorization === auth);
    e.body.text = metrics(100, 5, 50, 2, 0);
    const counter = new IntervalCounter();
    const hits: number[] = [];
    const src = new MetricsSource({
      url: await e.url,
      username: 'top',
      password: 's3cret',
      timeoutMs: 2000,
      counter,
      onHits: (n) => hits.push(n),
      now: () => Date.now(),
    });
    await src.start(); // the baseline: nothing counted
    e.body.text = metrics(130, 7, 60, 5, 2);
    await src.poll();
    let iv = counter.take();
    expect(iv.total).toBe(32);
    expect(Object.fromEntries(iv.sections)).toEqual({ '/api': 30, '/shop': 2 });
    expect(iv.status).toEqual([0, 30, 0, 0, 2]);
    expect(Object.fromEntries(iv.clients)).toEqual({ '192.0.2.1': 10 });
    expect(iv.failedLogins).toBe(3);
    expect(iv.blocked).toBeUndefined(); // 7 both times: no increase
    expect(iv.fimChanges).toBe(2);
    e.body.text = metrics(4, 7, 60, 5, 2); // the exporter restarted: /api was reset
    await src.poll();
    iv = counter.take();
    expect(Object.fromEntries(iv.sections)).toEqual({ '/api': 4 });
    expect(hits).toEqual([32, 4]);
    src.close();
  });

  it('sends a bearer token; a refused scrape is an error with the status', async () => {
    const e = exporter((req) => req.headers.authorization === 'Bearer tok');
    e.body.text = metrics(1, 1, 1, 1, 0);
    const ok = new MetricsSource({
      url: await e.url,
      bearerToken: 'tok',
      timeoutMs: 2000,
      counter: new IntervalCounter(),
      onHits: () => {},
      now: Date.now,
    });
    await ok.start();
    ok.close();
    const bad = new MetricsSource({
      url: await e.url,
      bearerToken: 'wrong',
      timeoutMs: 2000,
      counter: new IntervalCounter(),
      onHits: () => {},
      now: Date.now,
    });
    await expect(bad.start()).rejects.toThrow(/HTTP 401/);
    bad.close();
  });

  it('scrapes https: verified with --ca-file, refused without it, accepted with --insecure-skip-verify', async () => {
    const pki = await makePki();
    dirs.push(pki.dir);
    const server = https.createServer({ cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key) }, (_req, res) =>
      res.end(metrics(1, 1, 1, 1, 0)),
    );
    servers.push(server as unknown as http.Server);
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
    const url = `https://localhost:${port}/metrics`;
    const source = (o: { caFile?: string; insecureSkipVerify?: boolean }) =>
      new MetricsSource({ url, ...o, timeoutMs: 2000, counter: new IntervalCounter(), onHits: () => {}, now: Date.now });
    for (const [o, ok] of [
      [{ caFile: pki.ca.cert }, true],
      [{}, false],
      [{ insecureSkipVerify: true }, true],
    ] as const) {
      const s = source(o);
      if (ok) await s.start();
      else await expect(s.start()).rejects.toThrow(/certificate/);
      s.close();
    }
  });

  it('parses label values with escapes', () => {
    const s = parseExposition(
      'hostwatch_http_client_requests_total{log="a\\"b",client="x\\\\y"} 3\n',
      new Set(['hostwatch_http_client_requests_total']),
    );
    expect(s).toEqual([{ name: 'hostwatch_http_client_requests_total', labels: { log: 'a"b', client: 'x\\y' }, value: 3 }]);
  });
});
