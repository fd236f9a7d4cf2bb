// Roles per endpoint through the real Exporter over HTTP on 127.0.0.1:0, with real web config files
// (bcrypt users, bearer token files): 401 without or with wrong credentials, 403 with a role too
// low, and nothing runs when the web config grants no operator role.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { Exporter } from '../../src/exporter/exporter.js';
import { testExporter } from '../support/test-exporter.js';

let dir: string;
let exporter: Exporter | undefined;
const TOKENS = { viewer: 'v'.repeat(12) + '-viewer-token', operator: 'operator-token-0123456789', admin: 'admin-token-abcdefghijklmn' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-roles-'));
  for (const [role, token] of Object.entries(TOKENS)) await writeFile(join(dir, `${role}.token`), `${token}\n`);
  // An action that would leave a marker: it must never run without the operator role.
  await writeFile(
    join(dir, 'hostwatch.yml'),
    `actions:\n  - name: mark\n    alertname: Marker\n    command: [/usr/bin/touch, ${join(dir, 'marker')}]\n    dry_run: false\n    cooldown: 0s\n    max_per_hour: 0\n`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});

async function start(webConfig?: string): Promise<number> {
  let webConfigFile: string | undefined;
  if (webConfig !== undefined) {
    webConfigFile = join(dir, 'web.yml');
    await writeFile(webConfigFile, webConfig);
  }
  exporter = testExporter(dir, { webConfigFile });
  await exporter.start();
  return exporter.address.port;
}

function req(
  port: number,
  method: string,
  path: string,
  auth?: string,
  body?: unknown,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const r = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { ...(auth ? { Authorization: auth } : {}), ...(data ? { 'Content-Type': 'application/json' } : {}) },
      },
      (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: b, headers: res.headers }));
      },
    );
    r.on('error', reject);
    r.end(data);
  });
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const bearer = (t: string) => `Bearer ${t}`;
let fp = 0;
const payload = () => ({
  version: '4',
  groupKey: '{}:{alertname="Marker"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'hostwatch-remediation',
  groupLabels: { alertname: 'Marker' },
  commonLabels: { alertname: 'Marker' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'Marker' },
      annotations: {},
      startsAt: '2026-11-30T08:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: `f${++fp}`,
    },
  ],
});

const WEB = `basic_auth_users:
  vera: "${bcrypt.hashSync('v-pass', 4)}"
  otto: "${bcrypt.hashSync('o-pass', 4)}"
  ada: "${bcrypt.hashSync('a-pass', 4)}"
roles:
  operator: [otto]
  admin: [ada]
bearer_tokens:
  - {file: viewer.token}
  - {file: operator.token, role: operator}
  - {file: admin.token, role: admin}
`;

describe('roles per endpoint', () => {
  it('viewer, operator and admin each reach what their role allows: 401 vs 403', async () => {
    const port = await start(WEB);
    const vera = basic('vera', 'v-pass');
    const otto = basic('otto', 'o-pass');
    const ada = basic('ada', 'a-pass');
    const cases: [string, string, string | undefined, number][] = [
      ['GET', '/metrics', undefined, 401],
      ['GET', '/metrics', basic('vera', 'wrong'), 401],
      ['GET', '/metrics', bearer('not-a-configured-token-at-all'), 401],
      ['GET', '/metrics', vera, 200],
      ['GET', '/metrics', bearer(TOKENS.viewer), 200],
      ['GET', '/', vera, 200],
      ['GET', '/api/v1/status', undefined, 401],
      ['GET', '/api/v1/status', vera, 403],
      ['GET', '/api/v1/status', bearer(TOKENS.viewer), 403],
      ['GET', '/api/v1/status', otto, 200],
      ['GET', '/api/v1/status', bearer(TOKENS.operator), 200],
      ['GET', '/api/v1/status', ada, 200],
      ['POST', '/api/v1/fim/accept', otto, 403],
      ['POST', '/api/v1/fim/accept', bearer(TOKENS.operator), 403],
    ];
    for (const [method, path, auth, want] of cases) {
      const res = await req(port, method, path, auth, method === 'POST' ? {} : undefined);
      expect({ method, path, auth, status: res.status }).toEqual({ method, path, auth, status: want });
      if (want === 401) expect(res.headers['www-authenticate']).toBe('Basic realm="hostwatch", Bearer realm="hostwatch"');
    }
    // Admin reaches FIM accept (no roots configured here: a 400 from the handler, not 403).
    const accept = await req(port, 'POST', '/api/v1/fim/accept', bearer(TOKENS.admin), {});
    expect(accept.status).toBe(400);
    expect(JSON.parse(accept.body)).toEqual({ status: 'error', error: 'no fim.roots configured' });

    // The webhook: 403 for a viewer, and the action did not run; 200 and it ran for an operator.
    const marker = join(dir, 'marker');
    expect((await req(port, 'POST', '/api/v1/alertmanager', vera, payload())).status).toBe(403);
    expect((await req(port, 'POST', '/api/v1/alertmanager', bearer(TOKENS.viewer), payload())).status).toBe(403);
    expect((await req(port, 'POST', '/api/v1/alertmanager', undefined, payload())).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
    const ok = await req(port, 'POST', '/api/v1/alertmanager', bearer(TOKENS.operator), payload());
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).decisions).toEqual([{ action: 'mark', fingerprint: `f${fp}`, event: 'firing', result: 'started' }]);
    await exporter!.stop();
    expect(existsSync(marker)).toBe(true);
    await rm(marker);
  });

  it('without a web config /metrics stays open, the API answers 403 and nothing runs', async () => {
    const port = await start();
    expect((await req(port, 'GET', '/metrics')).status).toBe(200);
    const res = await req(port, 'POST', '/api/v1/alertmanager', undefined, payload());
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error).toMatch(/grants no operator role/);
    expect((await req(port, 'GET', '/api/v1/status')).status).toBe(403);
    await exporter!.stop();
    expect(existsSync(join(dir, 'marker'))).toBe(false);
  });

  it('basic auth users without roles are viewers (the behaviour before roles)', async () => {
    const port = await start(`basic_auth_users:\n  otto: "${bcrypt.hashSync('o-pass', 4)}"\n`);
    expect((await req(port, 'GET', '/metrics', basic('otto', 'o-pass'))).status).toBe(200);
    expect((await req(port, 'POST', '/api/v1/alertmanager', basic('otto', 'o-pass'), payload())).status).toBe(403);
  });

  it('bad payloads are 400 with the reason, and run nothing', async () => {
    const port = await start(WEB);
    const op = bearer(TOKENS.operator);
    const v3 = await req(port, 'POST', '/api/v1/alertmanager', op, { ...payload(), version: '3' });
    expect(v3.status).toBe(400);
    expect(JSON.parse(v3.body).error).toContain('version');
    const garbled = await new Promise<number>((resolve, reject) => {
      const r = http.request(
        {
          host: '127.0.0.1',
          port: exporter!.address.port,
          method: 'POST',
          path: '/api/v1/alertmanager',
          agent: false,
          headers: { Authorization: op, 'Content-Type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      r.on('error', reject);
      r.end('{"version": "4", ');
    });
    expect(garbled).toBe(400);
    expect((await req(port, 'GET', '/api/v1/nothing', op)).status).toBe(404);
    await exporter!.stop();
    expect(existsSync(join(dir, 'marker'))).toBe(false);
  });
});

describe('web config validation of roles and tokens', () => {
  it('a role naming an unknown user, a missing or short token file fail the start with the key', async () => {
    await writeFile(join(dir, 'short.token'), 'short\n');
    const web = `basic_auth_users:\n  otto: "${bcrypt.hashSync('o', 4)}"\nroles:\n  operator: [otto, nobody]\nbearer_tokens:\n  - {file: missing.token, role: operator}\n  - {file: short.token}\n`;
    await expect(start(web)).rejects.toThrow(/roles\.operator\[1\]: user "nobody" is not in basic_auth_users/);
    exporter = undefined;
    const web2 = `bearer_tokens:\n  - {file: missing.token, role: operator}\n  - {file: short.token}\n`;
    const err = await start(web2).catch((e: Error) => e);
    expect(String(err)).toMatch(/bearer_tokens\[0\]\.file: cannot read .*missing\.token: ENOENT/);
    expect(String(err)).toMatch(/bearer_tokens\[1\]\.file: token in .*short\.token is shorter than 16 characters/);
    exporter = undefined;
  });
});
