// Every way a web config can be wrong is reported at load time as `path.to.key: what is wrong`,
// all problems at once, before a server is started.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../../src/config/errors.js';
import { loadWebConfig } from '../../src/server/webconfig.js';
import { makePki, type Pki } from './certs.js';

let pki: Pki;
let dir: string;
const HASH = bcrypt.hashSync('secret', 4);

beforeAll(async () => {
  pki = await makePki();
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-webcfg-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(pki.dir, { recursive: true, force: true });
});

async function problemsOf(yaml: string): Promise<string[]> {
  const file = join(dir, `web-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(file, yaml);
  try {
    await loadWebConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe(file);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the web config to be rejected');
}

async function load(yaml: string) {
  const file = join(dir, `web-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(file, yaml);
  return loadWebConfig(file);
}

describe('web config validation', () => {
  it('no file: plain HTTP, no middleware', async () => {
    expect(await loadWebConfig(undefined)).toEqual({ middleware: [], empty: true });
  });

  it('an empty file is valid and changes nothing', async () => {
    const wc = await load('');
    expect(wc.tls).toBeUndefined();
    expect(wc.middleware).toHaveLength(0);
  });

  it('a missing file is an error naming it', async () => {
    await expect(loadWebConfig(join(dir, 'nope.yml'))).rejects.toMatchObject({ problems: ['(file): cannot read: ENOENT'] });
  });

  it('YAML syntax errors and duplicate keys', async () => {
    expect((await problemsOf('basic_auth_users: [\n'))[0]).toMatch(/^\(yaml\): /);
    expect((await problemsOf(`basic_auth_users:\n  a: "${HASH}"\n  a: "${HASH}"\n`))[0]).toMatch(/^\(yaml\): .*[Uu]nique|duplicate/i);
  });

  it('unknown keys at every level', async () => {
    const problems = await problemsOf(
      [
        'tls_server_confg: {}',
        'http_server_config:',
        '  header: {}',
        'rate_limit:',
        '  intervall: 1s',
        'tls_server_config:',
        `  cert_file: ${pki.server.cert}`,
        `  key_file: ${pki.server.key}`,
        '  min_versoin: TLS12',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'tls_server_confg: unknown key (check the spelling)',
        'http_server_config.header: unknown key (check the spelling)',
        'rate_limit.intervall: unknown key (check the spelling)',
        'tls_server_config.min_versoin: unknown key (check the spelling)',
      ]),
    );
  });

  it('invalid bcrypt hashes and user names', async () => {
    const problems = await problemsOf(
      [
        'basic_auth_users:',
        '  alice: plaintext-password',
        `  bob: "${HASH.slice(0, -1)}"`,
        `  "ca:rol": "${HASH}"`,
        `  dave: "$2y$03$${HASH.slice(7)}"`,
        `  erin: "${HASH}"`,
      ].join('\n'),
    );
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^basic_auth_users\.alice: not a bcrypt hash/);
    expect(problems[1]).toMatch(/^basic_auth_users\.bob: not a bcrypt hash/);
    expect(problems[2]).toMatch(/^basic_auth_users\.ca:rol: user names .* cannot contain ":"/);
    expect(problems[3]).toBe('basic_auth_users.dave: bcrypt cost 3 is out of range 4..31');
  });

  it('headers the toolkit does not allow, and bad values', async () => {
    const problems = await problemsOf(
      [
        'http_server_config:',
        '  headers:',
        '    Content-Type: text/html',
        '    X-Frame-Options: allow-from-anywhere',
        '    X-Content-Type-Options: nosniff',
        '    Strict-Transport-Security: max-age=31536000',
      ].join('\n'),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^http_server_config\.headers\.Content-Type: this header cannot be configured \(allowed: Strict-Transport-Security/,
      ),
      'http_server_config.headers.X-Frame-Options: invalid value "allow-from-anywhere" (expected one of: deny, sameorigin)',
    ]);
  });

  it('rate_limit values', async () => {
    const problems = await problemsOf('rate_limit:\n  interval: soon\n  burst: 0\n');
    expect(problems).toEqual([
      'rate_limit.interval: invalid duration "soon" (use e.g. 250ms, 30s, 2m, 1h)',
      expect.stringMatching(/^rate_limit\.burst: /),
    ]);
    expect(await problemsOf('rate_limit:\n  interval: 0\n')).toEqual(['rate_limit.interval: must be more than 0']);
  });

  it('TLS: missing cert/key, bad enums, versions out of order, CA needed for verification', async () => {
    const problems = await problemsOf(
      [
        'tls_server_config:',
        '  client_auth_type: RequireClientCert',
        '  min_version: TLS13',
        '  max_version: TLS12',
        '  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tls_server_config\.client_auth_type: /),
        expect.stringMatching(/^tls_server_config\.cipher_suites\[0\]: /),
      ]),
    );
    const more = await problemsOf(
      ['tls_server_config:', '  client_auth_type: RequireAndVerifyClientCert', '  min_version: TLS13', '  max_version: TLS12'].join('\n'),
    );
    expect(more).toEqual([
      'tls_server_config.cert_file: required key is missing (or give cert inline)',
      'tls_server_config.key_file: required key is missing (or give key inline)',
      'tls_server_config.client_ca_file: required when client_auth_type is RequireAndVerifyClientCert',
      'tls_server_config.max_version: TLS12 is below min_version TLS13',
    ]);
    expect(
      await problemsOf(
        [
          'tls_server_config:',
          `  cert_file: ${pki.server.cert}`,
          `  key_file: ${pki.server.key}`,
          '  client_allowed_sans: [prometheus]',
        ].join('\n'),
      ),
    ).toEqual([expect.stringMatching(/^tls_server_config\.client_allowed_sans: needs client_auth_type RequireAndVerifyClientCert/)]);
  });

  it('TLS: unreadable files are reported with their resolved path', async () => {
    const problems = await problemsOf(
      [
        'tls_server_config:',
        '  cert_file: missing.crt',
        '  key_file: /nonexistent/server.key',
        '  client_auth_type: VerifyClientCertIfGiven',
        '  client_ca_file: missing-ca.crt',
      ].join('\n'),
    );
    expect(problems).toEqual([
      `tls_server_config.cert_file: cannot read ${join(dir, 'missing.crt')}: ENOENT`,
      'tls_server_config.key_file: cannot read /nonexistent/server.key: ENOENT',
      `tls_server_config.client_ca_file: cannot read ${join(dir, 'missing-ca.crt')}: ENOENT`,
    ]);
  });

  it('TLS: files that are not certificates or keys, and a key that does not match', async () => {
    const junk = join(dir, 'junk.pem');
    await writeFile(junk, 'not a certificate\n');
    const broken = join(dir, 'broken.pem');
    await writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(await problemsOf(['tls_server_config:', `  cert_file: ${junk}`, `  key_file: ${junk}`].join('\n'))).toEqual([
      'tls_server_config.cert_file: no PEM certificate found',
      expect.stringMatching(/^tls_server_config\.key_file: not a usable private key: /),
    ]);
    expect(await problemsOf(['tls_server_config:', `  cert_file: ${broken}`, `  key_file: ${pki.server.key}`].join('\n'))).toEqual([
      expect.stringMatching(/^tls_server_config\.cert_file: certificate 1 does not parse: /),
    ]);
    expect(await problemsOf(['tls_server_config:', `  cert_file: ${pki.server.cert}`, `  key_file: ${pki.client.key}`].join('\n'))).toEqual(
      ['tls_server_config.key_file: the private key does not match the certificate in cert_file'],
    );
  });

  it('TLS: relative paths resolve against the web config file directory, not the working directory', async () => {
    const sub = join(dir, 'etc');
    await mkdir(sub, { recursive: true });
    await copyFile(pki.server.cert, join(sub, 'server.crt'));
    await copyFile(pki.server.key, join(sub, 'server.key'));
    await copyFile(pki.ca.cert, join(sub, 'ca.crt'));
    const file = join(sub, 'web.yml');
    await writeFile(
      file,
      [
        'tls_server_config:',
        '  cert_file: server.crt',
        '  key_file: server.key',
        '  client_auth_type: RequireAndVerifyClientCert',
        '  client_ca_file: ca.crt',
        '  min_version: TLS13',
      ].join('\n'),
    );
    const wc = await loadWebConfig(file);
    expect(wc.tls).toMatchObject({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: true });
    expect(String(wc.tls!.cert)).toContain('BEGIN CERTIFICATE');
  });

  it('TLS: Go cipher suite and curve names map to OpenSSL ones, TLS 1.3 suites kept', async () => {
    const wc = await load(
      [
        'tls_server_config:',
        `  cert_file: ${pki.server.cert}`,
        `  key_file: ${pki.server.key}`,
        '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]',
        '  curve_preferences: [X25519, CurveP256]',
        '  prefer_server_cipher_suites: false',
      ].join('\n'),
    );
    expect(wc.tls).toMatchObject({
      ciphers:
        'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
      ecdhCurve: 'X25519:P-256',
      honorCipherOrder: false,
      requestCert: false,
      rejectUnauthorized: false,
    });
  });

  it('TLS: inline cert and key instead of files, but not both forms of one', async () => {
    const { readFile } = await import('node:fs/promises');
    const indent = (pem: string) =>
      pem
        .trim()
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n');
    const cert = await readFile(pki.server.cert, 'utf8');
    const key = await readFile(pki.server.key, 'utf8');
    const wc = await load(['tls_server_config:', '  cert: |', indent(cert), '  key: |', indent(key)].join('\n'));
    expect(String(wc.tls!.cert).trim()).toBe(cert.trim());
    expect(
      await problemsOf(
        ['tls_server_config:', `  cert_file: ${pki.server.cert}`, '  cert: |', indent(cert), `  key_file: ${pki.server.key}`].join('\n'),
      ),
    ).toEqual(['tls_server_config.cert: give either cert_file or cert, not both']);
  });

  it('a node_exporter web config (toolkit keys, empty sections, http2) loads unchanged', async () => {
    const wc = await load(
      [
        'tls_server_config:',
        `  cert_file: ${pki.server.cert}`,
        `  key_file: ${pki.server.key}`,
        'http_server_config:',
        '  http2: false',
        '  headers:',
        '    X-Frame-Options: deny',
        'basic_auth_users:',
        `  prometheus: "${HASH.replace('$2b$', '$2y$')}"`,
        'rate_limit:',
      ].join('\n'),
    );
    expect(wc.tls).toBeDefined();
    expect(wc.middleware).toHaveLength(2); // headers, basic auth
  });
});
