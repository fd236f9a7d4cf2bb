// Turns a validated tls_server_config into Node https server options: reads the certificate, key and
// client CA files (relative paths resolve against the web config file's directory, as in the
// toolkit), checks that they parse and that key and certificate match, and maps the Go client auth
// types onto Node's requestCert/rejectUnauthorized. Every problem comes back as `path: message`.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { CIPHER_SUITES, CURVES, TLS_VERSIONS, type ClientAuthType, type TlsServerConfig } from './webconfig-schema.js';

export type TlsOptions = SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean };

export interface TlsSetup {
  options: TlsOptions;
  clientAuthType: ClientAuthType;
  clientAllowedSans: string[];
}

const PREFIX = 'tls_server_config';
const TLS13_DEFAULT_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

/** How each Go client auth type maps onto Node: what the handshake asks and enforces. */
const CLIENT_AUTH: Record<ClientAuthType, { requestCert: boolean; rejectUnauthorized: boolean }> = {
  NoClientCert: { requestCert: false, rejectUnauthorized: false },
  RequestClientCert: { requestCert: true, rejectUnauthorized: false },
  // Node cannot require a certificate without verifying it: the request-level check
  // (client-cert.ts) refuses connections that sent none.
  RequireAnyClientCert: { requestCert: true, rejectUnauthorized: false },
  // Unverified certificates are allowed through the handshake and refused per request.
  VerifyClientCertIfGiven: { requestCert: true, rejectUnauthorized: false },
  RequireAndVerifyClientCert: { requestCert: true, rejectUnauthorized: true },
};

async function readPem(path: string, key: string, baseDir: string, problems: string[]): Promise<string | undefined> {
  const abs = resolve(baseDir, path);
  try {
    return await readFile(abs, 'utf8');
  } catch (err) {
    problems.push(`${PREFIX}.${key}: cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return undefined;
  }
}

/** Splits a PEM bundle into its certificates, each checked to parse. */
function parseCertificates(pem: string, key: string, problems: string[]): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    problems.push(`${PREFIX}.${key}: no PEM certificate found`);
    return false;
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      problems.push(`${PREFIX}.${key}: certificate ${i + 1} does not parse: ${(err as Error).message}`);
      return false;
    }
  }
  return true;
}

/**
 * The problems of the certificate, key and CA files named by a tls_server_config that did not
 * validate (for one report of every problem of the web config): each named file is read, and the
 * certificates parsed, as buildTlsOptions would.
 */
export async function tlsFileProblems(raw: unknown, baseDir: string): Promise<string[]> {
  if (typeof raw !== 'object' || raw === null) return [];
  const problems: string[] = [];
  for (const key of ['cert_file', 'key_file', 'client_ca_file'] as const) {
    const path = (raw as Record<string, unknown>)[key];
    if (typeof path !== 'string') continue;
    const pem = await readPem(path, key, baseDir, problems);
    if (pem !== undefined && key !== 'key_file') parseCertificates(pem, key, problems);
  }
  return problems;
}

export async function buildTlsOptions(c: TlsServerConfig, baseDir: string): Promise<{ setup?: TlsSetup; problems: string[] }> {
  const problems: string[] = [];
  const certKey = c.cert_file !== undefined ? 'cert_file' : 'cert';
  const keyKey = c.key_file !== undefined ? 'key_file' : 'key';
  const cert = c.cert_file !== undefined ? await readPem(c.cert_file, 'cert_file', baseDir, problems) : c.cert;
  const key = c.key_file !== undefined ? await readPem(c.key_file, 'key_file', baseDir, problems) : c.key;
  const ca = c.client_ca_file !== undefined ? await readPem(c.client_ca_file, 'client_ca_file', baseDir, problems) : undefined;

  const certOk = cert !== undefined && parseCertificates(cert, certKey, problems);
  let keyOk = false;
  if (key !== undefined) {
    try {
      createPrivateKey(key);
      keyOk = true;
    } catch (err) {
      problems.push(`${PREFIX}.${keyKey}: not a usable private key: ${(err as Error).message}`);
    }
  }
  const caOk = ca === undefined || parseCertificates(ca, 'client_ca_file', problems);
  if (!certOk || !keyOk || !caOk) return { problems };

  const suites = c.cipher_suites.map((s) => CIPHER_SUITES[s]);
  // Go never lets TLS 1.3 suites be configured; keep Node's TLS 1.3 defaults unless some are named.
  if (suites.length > 0 && !suites.some((s) => s.startsWith('TLS_'))) suites.push(...TLS13_DEFAULT_SUITES);
  const options: TlsOptions = {
    cert,
    key,
    ...(ca !== undefined ? { ca } : {}),
    minVersion: TLS_VERSIONS[c.min_version],
    maxVersion: TLS_VERSIONS[c.max_version],
    ...(suites.length > 0 ? { ciphers: suites.join(':') } : {}),
    honorCipherOrder: c.prefer_server_cipher_suites,
    ...(c.curve_preferences.length > 0 ? { ecdhCurve: c.curve_preferences.map((n) => CURVES[n]).join(':') } : {}),
    ...CLIENT_AUTH[c.client_auth_type],
  };
  // Catches what only OpenSSL knows: a key that does not belong to the certificate, a cipher list
  // it refuses. Done now so that a bad file fails at start or reload, not at the first handshake.
  try {
    createSecureContext(options);
  } catch (err) {
    const msg = (err as Error).message;
    if (/key values mismatch/i.test(msg))
      problems.push(`${PREFIX}.${keyKey}: the private key does not match the certificate in ${certKey}`);
    else if (/cipher/i.test(msg)) problems.push(`${PREFIX}.cipher_suites: ${msg}`);
    else problems.push(`${PREFIX}: cannot build a TLS context: ${msg}`);
    return { problems };
  }
  return { setup: { options, clientAuthType: c.client_auth_type, clientAllowedSans: c.client_allowed_sans }, problems };
}
