// bcrypt compares run in a worker thread: the main thread stays idle during a slow compare, the
// queue is bounded, and a full queue answers 429 while cached logins still pass.
import { describe, expect, it, vi } from 'vitest';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import bcrypt from 'bcryptjs';
import express from 'express';
import { BasicAuth } from '../../src/server/basic-auth.js';
import { bcryptCompare, bcryptPending, MAX_PENDING, QueueFullError } from '../../src/server/bcrypt-pool.js';

// Cost 12: about a second of CPU in bcryptjs, long enough to be seen, short enough for a test.
const SLOW_HASH = bcrypt.hashSync('slow', 12);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('bcrypt worker', () => {
  it('starts one thread at the first compare, never more, and does not keep the process alive while idle', async () => {
    // A fresh instance of the pool module: test files share their worker's module cache, and an
    // earlier file may have started the shared pool already.
    vi.resetModules();
    const { bcryptCompare, bcryptThreads } = await import('../../src/server/bcrypt-pool.js');
    expect(await bcryptThreads()).toBe(0);
    const hash = bcrypt.hashSync('x', 6);
    const compares = Array.from({ length: 4 }, (_, i) => bcryptCompare(i === 0 ? 'x' : 'y', hash));
    await compares[0];
    // Three more compares are waiting: a pool allowed more threads would have started them by now.
    expect(await bcryptThreads()).toBe(1);
    // Busy, the worker keeps the process alive (its port is ref'd).
    expect(process.getActiveResourcesInfo()).toContain('MessagePort');
    expect(await Promise.all(compares)).toEqual([true, false, false, false]);
    expect(await bcryptThreads()).toBe(1);
    // Idle, nothing of it is left that would keep an exporter from exiting.
    expect(process.getActiveResourcesInfo()).not.toContain('MessagePort');
  });

  it('gives the same answers as bcryptjs', async () => {
    const hash = bcrypt.hashSync('right', 4);
    expect(await bcryptCompare('right', hash)).toBe(true);
    expect(await bcryptCompare('wrong', hash)).toBe(false);
    expect(await bcryptCompare('right', hash.replace(/^\$2b\$/, '$2y$'))).toBe(true);
    expect(bcryptPending()).toBe(0);
  });

  it('keeps the main thread idle during a slow compare (an unknown user costs one too)', async () => {
    const auth = new BasicAuth({ alice: SLOW_HASH });
    const before = performance.eventLoopUtilization();
    expect(await auth.verify('mallory', 'slow')).toBe(false);
    const elu = performance.eventLoopUtilization(before);
    // Run on the main thread, the compare would keep it busy (utilization near 1) for its duration.
    expect(elu.utilization).toBeLessThan(0.5);
    expect(elu.idle).toBeGreaterThan(elu.active);
  });

  it('bounds the queue: past MAX_PENDING compares are refused at once', async () => {
    const calls = Array.from({ length: MAX_PENDING + 3 }, () =>
      bcryptCompare('x', SLOW_HASH.replace(/\$12\$/, '$04$')).then(
        (ok) => (ok ? 'match' : 'no match'),
        (err: Error) => (err instanceof QueueFullError ? 'full' : err.message),
      ),
    );
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o === 'no match')).toHaveLength(MAX_PENDING);
    expect(outcomes.filter((o) => o === 'full')).toHaveLength(3);
    expect(bcryptPending()).toBe(0);
  });

  it('while the queue is full, bad logins get 429 and cached good logins still pass', async () => {
    const good = bcrypt.hashSync('good', 4);
    const auth = new BasicAuth({ prometheus: good, slow: SLOW_HASH, quick: bcrypt.hashSync('q', 4) });
    const app = express()
      .use(auth.middleware())
      .get('/', (_req, res) => {
        res.send('ok');
      });
    // Prometheus logs in once: its credentials are cached from then on.
    expect((await request(app).get('/').set('Authorization', basic('prometheus', 'good'))).status).toBe(200);
    // A flood of bad logins fills the queue: one slow compare running, the rest waiting behind it.
    const flood = Array.from({ length: MAX_PENDING }, (_, i) => auth.verify(i === 0 ? 'slow' : 'quick', 'guess').catch(() => false));
    expect(bcryptPending()).toBe(MAX_PENDING);
    const refused = await request(app).get('/').set('Authorization', basic('slow', 'another guess'));
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    const cached = await request(app).get('/').set('Authorization', basic('prometheus', 'good'));
    expect(cached.status).toBe(200);
    expect(bcryptPending()).toBeGreaterThan(0); // the flood was still being worked through
    await Promise.all(flood);
  });
});
