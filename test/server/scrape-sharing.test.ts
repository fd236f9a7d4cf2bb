// Concurrent scrapes over real HTTP: one collection serves every request that arrives while it
// runs, and past the in-flight limit requests get 503 instead of piling up.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { SharedScrapes } from '../../src/exporter/scrape.js';
import type { ExposedFamily } from '../../src/exporter/exposition.js';
import { get } from './http-get.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A collection held until `release()`, counting how many were started. */
function heldCollections() {
  let calls = 0;
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  const collect = async (): Promise<ExposedFamily[]> => {
    const n = ++calls;
    await gate;
    return [{ name: 'test_collection', help: 'Which collection this is.', type: 'gauge', values: [{ labels: {}, value: n }] }];
  };
  return {
    collect,
    calls: () => calls,
    release: () => {
      release();
      gate = new Promise<void>((r) => (release = r));
    },
  };
}

async function serve(scrapes: SharedScrapes): Promise<number> {
  server = http.createServer(createApp({ telemetryPath: '/metrics', scrapes, ready: () => true }));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Waits until `cond` holds, a few event-loop turns at a time (the requests travel over loopback). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 2000) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('shared scrapes', () => {
  it('requests arriving during a scrape wait for it and get its result: one collection for all', async () => {
    const held = heldCollections();
    const scrapes = new SharedScrapes(held.collect, 40);
    const port = await serve(scrapes);
    const responses = Array.from({ length: 20 }, () => get(port, '/metrics'));
    await until(() => scrapes.inFlight === 20);
    expect(held.calls()).toBe(1);
    held.release();
    const all = await Promise.all(responses);
    for (const r of all)
      expect(r).toEqual({
        status: 200,
        body: '# HELP test_collection Which collection this is.\n# TYPE test_collection gauge\ntest_collection 1\n',
      });
    // The next request, after that scrape ended, starts a new collection.
    const next = get(port, '/metrics');
    await until(() => held.calls() === 2);
    held.release();
    expect((await next).body).toContain('test_collection 2\n');
  });

  it('past the limit of requests in flight: 503 with Retry-After at once; the others are served', async () => {
    const held = heldCollections();
    const scrapes = new SharedScrapes(held.collect, 3);
    const port = await serve(scrapes);
    const waiting = Array.from({ length: 3 }, () => get(port, '/metrics'));
    await until(() => scrapes.inFlight === 3);
    const refused = await new Promise<{ status: number; retry?: string; body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, retry: res.headers['retry-after'], body }));
        })
        .on('error', reject);
    });
    expect(refused).toEqual({ status: 503, retry: '1', body: 'Limit of concurrent requests reached (3), try again later.\n' });
    expect(held.calls()).toBe(1);
    held.release();
    for (const r of await Promise.all(waiting)) expect(r.status).toBe(200);
    expect(scrapes.inFlight).toBe(0);
    // Room again once they are done.
    const again = get(port, '/metrics');
    await until(() => held.calls() === 2);
    held.release();
    expect((await again).status).toBe(200);
  });

  it('a failed collection is a 500 for every request that shared it, and the next scrape starts afresh', async () => {
    let fail = true;
    const scrapes = new SharedScrapes(async () => {
      if (fail) throw new Error('boom');
      return [];
    });
    const port = await serve(scrapes);
    const [a, b] = await Promise.all([get(port, '/metrics'), get(port, '/metrics')]);
    expect(a).toEqual({ status: 500, body: 'scrape failed: boom\n' });
    expect(b.status).toBe(500);
    fail = false;
    expect(await get(port, '/metrics')).toEqual({ status: 200, body: '\n' });
  });
});
