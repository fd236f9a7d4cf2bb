// Basic auth, rate limit and response headers through the real express app (supertest), with the
// middleware built from real web config files and a manual clock for the token bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import bcrypt from 'bcryptjs';
import { createApp } from '../../src/server/app.js';
import { Runner } from '../../src/exporter/runner.js';
import { SharedScrapes } from '../../src/exporter/scrape.js';
import { silentLogger } from '../../src/core/log.js';
import { ManualClock } from '../../src/core/clock.js';
import { loadWebConfig } from '../../src/server/webconfig.js';
import { BasicAuth, parseBasicAuth } from '../../src/server/basic-auth.js';
import { RateLimiter, clientKey } from '../../src/server/rate-limit.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-auth-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

async function appFor(yaml: string, clock = new ManualClock()) {
  const file = join(dir, `web-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(file, yaml);
  const web = await loadWebConfig(file, { clock });
  const runner = new Runner([], silentLogger, 1000);
  return createApp({
    telemetryPath: '/metrics',
    scrapes: new SharedScrapes(() => runner.collect()),
    ready: () => true,
    middleware: web.middleware,
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('basic auth', () => {
  const aliceHash = bcrypt.hashSync('wonderland', 4);
  // htpasswd -B writes $2y$: accepted as the same algorithm.
  const bobHash = bcrypt.hashSync('builder', 5).replace(/^\$2b\$/, '$2y$');
  const yaml = `basic_auth_users:\n  alice: "${aliceHash}"\n  bob: "${bobHash}"\n`;

  it('401 with WWW-Authenticate for missing, malformed, unknown user and wrong password', async () => {
    const app = await appFor(yaml);
    for (const auth of [
      undefined,
      'Bearer abc',
      'Basic !!!',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      basic('mallory', 'wonderland'),
      basic('alice', 'wrong'),
      basic('alice', ''),
      basic('Alice', 'wonderland'),
    ]) {
      const req = request(app).get('/metrics');
      if (auth) req.set('Authorization', auth);
      const res = await req;
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="hostwatch"');
      expect(res.text).not.toContain('hostwatch_build_info');
    }
  });

  it('200 with the right credentials, for every endpoint (the toolkit protects them all)', async () => {
    const app = await appFor(yaml);
    const res = await request(app).get('/metrics').set('Authorization', basic('alice', 'wonderland'));
    expect(res.status).toBe(200);
    expect(res.text).toContain('hostwatch_build_info');
    expect((await request(app).get('/metrics').set('Authorization', basic('bob', 'builder'))).status).toBe(200);
    for (const path of ['/', '/-/healthy', '/-/ready', '/nope']) {
      expect((await request(app).get(path)).status, path).toBe(401);
    }
    expect((await request(app).get('/-/healthy').set('Authorization', basic('bob', 'builder'))).status).toBe(200);
    expect((await request(app).get('/nope').set('Authorization', basic('bob', 'builder'))).status).toBe(404);
  });

  it('passwords with colons and non-ASCII characters', async () => {
    const app = await appFor(`basic_auth_users:\n  carol: "${bcrypt.hashSync('a:b:ç', 4)}"\n`);
    expect((await request(app).get('/').set('Authorization', basic('carol', 'a:b:ç'))).status).toBe(200);
    expect((await request(app).get('/').set('Authorization', basic('carol', 'a:b'))).status).toBe(401);
  });

  it('parseBasicAuth splits at the first colon and accepts any case of the scheme', () => {
    expect(parseBasicAuth(`bAsIc ${Buffer.from('u:p:q').toString('base64')}`)).toEqual({ user: 'u', password: 'p:q' });
    expect(parseBasicAuth('Basic')).toBeUndefined();
    expect(parseBasicAuth(undefined)).toBeUndefined();
  });

  it('caches only successful verifications, bounded, keyed by the credentials', async () => {
    const auth = new BasicAuth({ alice: aliceHash });
    const cache = (auth as unknown as { cache: Set<string> }).cache;
    expect(await auth.verify('alice', 'wrong')).toBe(false);
    expect(await auth.verify('mallory', 'wonderland')).toBe(false);
    expect(cache.size).toBe(0);
    expect(await auth.verify('alice', 'wonderland')).toBe(true);
    expect(cache.size).toBe(1);
    expect(await auth.verify('alice', 'wonderland')).toBe(true);
    expect(cache.size).toBe(1);
    // A cached success says nothing about other passwords.
    expect(await auth.verify('alice', 'wonderlandx')).toBe(false);
    // The cache holds hashes, never the password.
    expect([...cache].join()).not.toContain('wonderland');
  });
});

describe('rate limit', () => {
  it('429 with Retry-After once the burst is used, allowed again after the interval', async () => {
    const clock = new ManualClock();
    const app = await appFor('rate_limit:\n  interval: 2s\n  burst: 3\n', clock);
    for (let i = 0; i < 3; i++) expect((await request(app).get('/-/healthy')).status).toBe(200);
    const limited = await request(app).get('/metrics');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    clock.advance(1000);
    const still = await request(app).get('/-/healthy');
    expect(still.status).toBe(429);
    expect(still.headers['retry-after']).toBe('1');
    clock.advance(1000);
    expect((await request(app).get('/-/healthy')).status).toBe(200);
    expect((await request(app).get('/-/healthy')).status).toBe(429);
    // A long pause refills up to the burst, not beyond.
    clock.advance(60_000);
    for (let i = 0; i < 3; i++) expect((await request(app).get('/-/healthy')).status).toBe(200);
    expect((await request(app).get('/-/healthy')).status).toBe(429);
  });

  it('limits before auth, so failed logins are limited too', async () => {
    const app = await appFor(`rate_limit:\n  interval: 1m\n  burst: 2\nbasic_auth_users:\n  u: "${bcrypt.hashSync('p', 4)}"\n`);
    expect((await request(app).get('/')).status).toBe(401);
    expect((await request(app).get('/').set('Authorization', basic('u', 'bad'))).status).toBe(401);
    expect((await request(app).get('/').set('Authorization', basic('u', 'p'))).status).toBe(429);
  });

  it('one bucket per client address; memory bounded by the client cap', () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(1000, 1, clock, 3);
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(1000);
    expect(rl.take('b')).toBe(0);
    expect(rl.take('c')).toBe(0);
    // Seen order is a, b, c: d evicts a (least recently seen), whose bucket then comes back full.
    expect(rl.take('d')).toBe(0);
    expect(rl.size).toBe(3);
    expect(rl.take('a')).toBe(0); // evicts b
    expect(rl.take('c')).toBe(1000); // c is still tracked, still empty
    for (let i = 0; i < 10_000; i++) rl.take(`client-${i}`);
    expect(rl.size).toBe(3);
  });

  it('a clock stepping backwards does not drain or overfill the bucket', () => {
    const clock = new ManualClock(1_000_000);
    const rl = new RateLimiter(1000, 2, clock);
    expect(rl.take('a')).toBe(0);
    (clock as unknown as { t: number }).t = 0;
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(1000);
  });

  it('client keys: IPv4, IPv4-mapped IPv6, IPv6 grouped by /64', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
  });
});

describe('response headers', () => {
  it('configured security headers on every answer, including 401 and 429', async () => {
    const clock = new ManualClock();
    const app = await appFor(
      [
        'http_server_config:',
        '  headers:',
        '    x-frame-options: deny',
        '    Strict-Transport-Security: max-age=63072000; includeSubDomains',
        '    Content-Security-Policy: "default-src \'none\'"',
        'rate_limit:',
        '  interval: 1h',
        '  burst: 1',
        'basic_auth_users:',
        `  u: "${bcrypt.hashSync('p', 4)}"`,
      ].join('\n'),
      clock,
    );
    const check = (res: request.Response) => {
      expect(res.headers['x-frame-options']).toBe('deny');
      expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'");
    };
    const unauth = await request(app).get('/');
    expect(unauth.status).toBe(401);
    check(unauth);
    const limited = await request(app).get('/');
    expect(limited.status).toBe(429);
    check(limited);
  });

  it('without a web config no extra headers are set', async () => {
    const app = await appFor('');
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
