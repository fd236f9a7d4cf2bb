// TLS certificate expiry: certificates made with openssl (test/fixtures/tls; dates as printed by
// `openssl x509 -noout -dates` when they were made), bundles, globs, bad files, re-reading on change.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TlsCollector } from '../../src/collectors/tls/index.js';
import { compileGlob, expandGlob } from '../../src/collectors/tls/glob.js';
import { certInfo, parseCertFile, splitPemCertificates } from '../../src/collectors/tls/parse.js';
import { FIXTURES, makeCtx, samples } from './helpers.js';

const TLS = `${FIXTURES}tls`;
const read = (f: string) => readFileSync(join(TLS, f), 'utf8');
const at = (s: string) => Date.parse(s) / 1000;
const CA = 'C=DE, O=Hostwatch Test, CN=Hostwatch Test CA';

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-tls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('PEM parsing', () => {
  it('reads subject, issuer and validity of a certificate', () => {
    expect(certInfo(read('live/example.org/cert.pem'))).toEqual({
      subject: 'CN=example.org',
      issuer: CA,
      notBefore: at('Nov 23 16:08:14 2026 GMT'),
      notAfter: at('Feb 21 16:08:14 2027 GMT'),
    });
    expect(certInfo(read('live/example.net/cert.pem'))).toMatchObject({
      subject: 'CN=example.net',
      notAfter: at('Dec 23 16:08:14 2026 GMT'),
    });
  });

  it('reads every certificate of a bundle', () => {
    const f = parseCertFile(read('live/example.org/fullchain.pem'));
    expect(f.error).toBeUndefined();
    expect(f.certs.map((c) => c.subject)).toEqual(['CN=example.org', CA]);
    expect(f.certs[1].notAfter).toBe(at('Nov 20 16:08:14 2036 GMT'));
  });

  it('a file without a certificate, and a bundle with one broken block, are errors; good blocks are kept', () => {
    expect(parseCertFile(read('not-a-cert.pem'))).toEqual({ certs: [], error: 'no PEM certificate in file' });
    const f = parseCertFile(read('one-bad-block.pem'));
    expect(f.certs.map((c) => c.subject)).toEqual([CA]);
    expect(f.error).toMatch(/bad certificate/);
  });

  it('keeps the earliest expiry of duplicate subject/issuer pairs so series stay unique', () => {
    const ca = read('ca.pem');
    expect(splitPemCertificates(ca + ca)).toHaveLength(2);
    expect(parseCertFile(ca + ca).certs).toHaveLength(1);
  });
});

describe('globs', () => {
  it('expand * within one segment, skip non-matching and missing directories', async () => {
    expect(await expandGlob(compileGlob(`${TLS}/live/*/cert.pem`), 100)).toEqual([
      `${TLS}/live/example.net/cert.pem`,
      `${TLS}/live/example.org/cert.pem`,
    ]);
    expect(await expandGlob(compileGlob(`${TLS}/live/example.o?g/*.pem`), 100)).toEqual([
      `${TLS}/live/example.org/cert.pem`,
      `${TLS}/live/example.org/fullchain.pem`,
    ]);
    expect(await expandGlob(compileGlob(`${TLS}/live/example.[n]et/cert.pem`), 100)).toEqual([`${TLS}/live/example.net/cert.pem`]);
    expect(await expandGlob(compileGlob(`${TLS}/nowhere/*/cert.pem`), 100)).toEqual([]);
    expect(await expandGlob(compileGlob(`${TLS}/*.pem`), 1)).toHaveLength(1);
  });
});

describe('tls collector', () => {
  it('exports each certificate of files and globs, and flags bad files without failing', async () => {
    const ctx = makeCtx({
      tls: {
        cert_files: [
          `${TLS}/live/*/fullchain.pem`,
          `${TLS}/live/example.net/cert.pem`,
          `${TLS}/not-a-cert.pem`,
          `${TLS}/missing.pem`,
          `${TLS}/live/*/missing-in-glob.pem`,
        ],
      },
    });
    const c = new TlsCollector(ctx);
    await c.update();
    const s = samples(await ctx.registry.metrics());
    const chain = `${TLS}/live/example.org/fullchain.pem`;
    expect(s.get(`hostwatch_tls_cert_not_after_seconds{path="${chain}",subject="CN=example.org",issuer="${CA}"}`)).toBe(
      at('Feb 21 16:08:14 2027 GMT'),
    );
    expect(s.get(`hostwatch_tls_cert_not_after_seconds{path="${chain}",subject="${CA}",issuer="${CA}"}`)).toBe(
      at('Nov 20 16:08:14 2036 GMT'),
    );
    expect(s.get(`hostwatch_tls_cert_not_before_seconds{path="${chain}",subject="CN=example.org",issuer="${CA}"}`)).toBe(
      at('Nov 23 16:08:14 2026 GMT'),
    );
    const net = `${TLS}/live/example.net/cert.pem`;
    expect(s.get(`hostwatch_tls_cert_not_after_seconds{path="${net}",subject="CN=example.net",issuer="CN=example.net"}`)).toBe(
      at('Dec 23 16:08:14 2026 GMT'),
    );
    expect(s.get(`hostwatch_tls_cert_file_error{path="${chain}"}`)).toBe(0);
    expect(s.get(`hostwatch_tls_cert_file_error{path="${TLS}/not-a-cert.pem"}`)).toBe(1);
    // A listed file that does not exist is an error; a glob that matches nothing is not.
    expect(s.get(`hostwatch_tls_cert_file_error{path="${TLS}/missing.pem"}`)).toBe(1);
    expect([...s.keys()].some((k) => k.includes('missing-in-glob'))).toBe(false);
    expect([...s.keys()].filter((k) => k.startsWith('hostwatch_tls_cert_not_after_seconds'))).toHaveLength(3);
  });

  it('re-reads a file when it changes (certificate renewed) and drops files no longer matched', async () => {
    const dir = join(tmp, 'renew');
    mkdirSync(dir);
    const file = join(dir, 'site.pem');
    copyFileSync(join(TLS, 'live/example.net/cert.pem'), file);
    const ctx = makeCtx({ tls: { cert_files: [`${dir}/*.pem`] } });
    const c = new TlsCollector(ctx);
    await c.update();
    expect(await ctx.registry.metrics()).toContain('subject="CN=example.net"');
    writeFileSync(file, read('live/example.org/cert.pem'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await c.update();
    let text = await ctx.registry.metrics();
    expect(text).toContain('subject="CN=example.org"');
    expect(text).not.toContain('subject="CN=example.net"');
    rmSync(file);
    await c.update();
    text = await ctx.registry.metrics();
    expect(text).not.toContain(file);
  });
});
