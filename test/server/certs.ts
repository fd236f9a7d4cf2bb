// Makes a throwaway PKI for the TLS tests with the openssl CLI (Node cannot sign X.509 by itself):
// a CA, a server certificate for localhost/127.0.0.1 and client certificates for mTLS, all EC P-256
// so that it takes a fraction of a second.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  dir: string;
  /** Absolute paths of the PEM files. */
  ca: { cert: string; key: string };
  server: { cert: string; key: string };
  /** Signed by the CA, SAN DNS:prometheus. */
  client: { cert: string; key: string };
  /** Self-signed, not from the CA. */
  rogue: { cert: string; key: string };
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

/** A self-signed EC P-256 key and certificate in `dir`; `san`: a subjectAltName value to add. */
export async function selfSigned(dir: string, name: string, cn: string, san?: string): Promise<{ cert: string; key: string }> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      ...(san ? ['-addext', `subjectAltName=${san}`] : []),
    ],
    dir,
  );
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** Makes a key and a certificate signed by the CA in `dir`, with the given extensions. */
export async function signed(dir: string, name: string, cn: string, extensions: string): Promise<{ cert: string; key: string }> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    ],
    dir,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export async function makePki(): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), 'hostwatch-pki-'));
  const ca = await selfSigned(dir, 'ca', 'hostwatch test CA');
  const server = await signed(dir, 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const client = await signed(dir, 'client', 'prometheus', 'subjectAltName=DNS:prometheus\nextendedKeyUsage=clientAuth\n');
  const rogue = await selfSigned(dir, 'rogue', 'prometheus');
  return { dir, ca, server, client, rogue };
}
