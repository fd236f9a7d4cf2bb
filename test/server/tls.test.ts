// TLS through a real https server: the Exporter listening on 127.0.0.1:0 with a web config whose
// certificates are made by openssl in the test. Covers the client certificate policies, minimum
// version, and SIGHUP-style reloads (new certificate and new client auth policy for new connections,
// a bad new file keeping the old one).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import http from 'node:http';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { Exporter } from '../../src/exporter/exporter.js';
import { silentLogger } from '../../src/core/log.js';
import { makePki, signed, type Pki } from './certs.js';

let pki: Pki;
let dir: string;
let exporter: Exporter | undefined;

beforeAll(async () => {
  pki = await makePki();
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-tls-'));
  await writeFile(join(dir, 'hostwatch.yml'), '');
  await copyFile(pki.server.cert, join(dir, 'server.crt'));
  await copyFile(pki.server.key, join(dir, 'server.key'));
  await copyFile(pki.ca.cert, join(dir, 'ca.crt'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(pki.dir, { recursive: true, force: true });
});

afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});

async function writeWeb(lines: string[]): Promise<string> {
  const file = join(dir, 'web.yml');
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

const tlsLines = (...extra: string[]) => [
  'tls_server_config:',
  '  cert_file: server.crt',
  '  key_file: server.key',
  ...extra.map((l) => `  ${l}`),
];

async function start(webLines: string[]): Promise<number> {
  exporter = new Exporter({
    configFile: join(dir, 'hostwatch.yml'),
    webConfigFile: await writeWeb(webLines),
    listenAddress: '127.0.0.1:0',
    telemetryPath: '/metrics',
    stateDir: join(dir, 'state'),
    collectors: [],
    logger: silentLogger,
  });
  await exporter.start();
  return exporter.address.port;
}

interface Answer {
  status?: number;
  body?: string;
  /** SHA-256 fingerprint of the server certificate seen. */
  fingerprint?: string;
  error?: string;
}

function get(
  port: number,
  opts: { cert?: { cert: string; key: string }; ca?: string | null; maxVersion?: SecureVersion; path?: string } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    void (async () => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port,
          path: opts.path ?? '/metrics',
          agent: false, // a new connection each time: reloads apply to new connections
          ca: opts.ca === null ? undefined : await readFile(opts.ca ?? pki.ca.cert),
          cert: opts.cert ? await readFile(opts.cert.cert) : undefined,
          key: opts.cert ? await readFile(opts.cert.key) : undefined,
          maxVersion: opts.maxVersion,
        },
        (res) => {
          const fingerprint = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode, body, fingerprint }));
          res.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
        },
      );
      req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    })();
  });
}

const fingerprintOf = async (file: string) => new X509Certificate(await readFile(file)).fingerprint256;

describe('TLS server', () => {
  it('serves /metrics over https with the configured certificate; plain http and unknown CAs fail', async () => {
    const port = await start(tlsLines());
    const ok = await get(port);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('hostwatch_build_info');
    expect(ok.fingerprint).toBe(await fingerprintOf(pki.server.cert));
    // A client that does not trust the test CA refuses the certificate.
    expect((await get(port, { ca: null })).error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    // Plain HTTP to the TLS port gets no HTTP answer.
    const plain = await new Promise<string>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => resolve(`status ${res.statusCode}`))
        .on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
    });
    expect(plain).not.toBe('status 200');
  });

  it('min_version TLS13 refuses a TLS 1.2 client', async () => {
    const port = await start(tlsLines('min_version: TLS13'));
    expect((await get(port)).status).toBe(200);
    expect((await get(port, { maxVersion: 'TLSv1.2' })).error).toBeDefined();
  });

  it('RequireAndVerifyClientCert: the handshake needs a certificate from the client CA', async () => {
    const port = await start(tlsLines('client_auth_type: RequireAndVerifyClientCert', 'client_ca_file: ca.crt'));
    expect((await get(port, { cert: pki.client })).status).toBe(200);
    expect((await get(port)).status).toBeUndefined();
    expect((await get(port, { cert: pki.rogue })).status).toBeUndefined();
  });

  it('RequireAnyClientCert: any certificate, none refused', async () => {
    const port = await start(tlsLines('client_auth_type: RequireAnyClientCert'));
    expect((await get(port, { cert: pki.rogue })).status).toBe(200);
    expect((await get(port, { cert: pki.client })).status).toBe(200);
    const none = await get(port);
    expect(none.status).toBe(403);
    expect(none.body).toBe('client certificate required\n');
  });

  it('VerifyClientCertIfGiven: no certificate is fine, an untrusted one is refused', async () => {
    const port = await start(tlsLines('client_auth_type: VerifyClientCertIfGiven', 'client_ca_file: ca.crt'));
    expect((await get(port)).status).toBe(200);
    expect((await get(port, { cert: pki.client })).status).toBe(200);
    const rogue = await get(port, { cert: pki.rogue });
    expect(rogue.status).toBe(403);
    expect(rogue.body).toMatch(/^client certificate not trusted: /);
  });

  it('RequestClientCert: asks, accepts anything or nothing', async () => {
    const port = await start(tlsLines('client_auth_type: RequestClientCert'));
    expect((await get(port)).status).toBe(200);
    expect((await get(port, { cert: pki.rogue })).status).toBe(200);
  });

  it('client_allowed_sans: a verified certificate must carry one of the names', async () => {
    let port = await start(
      tlsLines('client_auth_type: RequireAndVerifyClientCert', 'client_ca_file: ca.crt', 'client_allowed_sans: [prometheus, 10.0.0.1]'),
    );
    expect((await get(port, { cert: pki.client })).status).toBe(200);
    await exporter!.stop();
    port = await start(
      tlsLines('client_auth_type: RequireAndVerifyClientCert', 'client_ca_file: ca.crt', 'client_allowed_sans: [grafana]'),
    );
    const refused = await get(port, { cert: pki.client });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('none of the allowed subject alternative names');
  });

  it('reload: a new certificate and a new client auth policy apply to new connections; a bad file keeps the old', async () => {
    const port = await start(tlsLines());
    expect((await get(port)).fingerprint).toBe(await fingerprintOf(pki.server.cert));

    // Rotate the certificate in place, as certbot or cert-manager would, and reload.
    const rotated = await signed(pki.dir, 'server2', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    await copyFile(rotated.cert, join(dir, 'server.crt'));
    await copyFile(rotated.key, join(dir, 'server.key'));
    await exporter!.reload();
    const after = await get(port);
    expect(after.status).toBe(200);
    expect(after.fingerprint).toBe(await fingerprintOf(rotated.cert));
    expect(after.fingerprint).not.toBe(await fingerprintOf(pki.server.cert));

    // Turn on mTLS by reload: the handshake now requires a client certificate.
    await writeWeb(tlsLines('client_auth_type: RequireAndVerifyClientCert', 'client_ca_file: ca.crt'));
    await exporter!.reload();
    expect((await get(port)).status).toBeUndefined();
    expect((await get(port, { cert: pki.rogue })).status).toBeUndefined();
    expect((await get(port, { cert: pki.client })).status).toBe(200);

    // A broken file (the key no longer matches) is refused and the running config stays.
    await copyFile(pki.client.key, join(dir, 'server.key'));
    await exporter!.reload();
    const kept = await get(port, { cert: pki.client });
    expect(kept.status).toBe(200);
    expect(kept.fingerprint).toBe(await fingerprintOf(rotated.cert));
    expect((await get(port)).status).toBeUndefined();

    // And back to no client certificates: requestCert/rejectUnauthorized are lifted too.
    await copyFile(rotated.key, join(dir, 'server.key'));
    await writeWeb(tlsLines());
    await exporter!.reload();
    expect((await get(port)).status).toBe(200);
  });
});
