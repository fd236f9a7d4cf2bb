// TLS of the http and tcp probes: the options built once from tls_config (the files are read when the
// probe is prepared, i.e. at start and at every reload, not at every probe), and the earliest expiry
// of the certificates a server presented (hostwatch_probe_ssl_earliest_cert_expiry, as blackbox_exporter).
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions, DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { TlsConfig } from './config.js';

export type TlsOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;

async function read(path: string, what: string): Promise<Buffer | undefined> {
  if (path === '') return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`tls_config.${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** Reads the files of tls_config; rejects with the key and path of a file that cannot be read. */
export async function loadTlsOptions(cfg: TlsConfig): Promise<TlsOptions> {
  const [ca, cert, key] = await Promise.all([
    read(cfg.ca_file, 'ca_file'),
    read(cfg.cert_file, 'cert_file'),
    read(cfg.key_file, 'key_file'),
  ]);
  return { ca, cert, key, rejectUnauthorized: !cfg.insecure_skip_verify };
}

/** SNI for a host: the configured server_name, else the host unless it is an address (SNI takes no address). */
export function serverName(cfg: TlsConfig, host: string): string | undefined {
  if (cfg.server_name !== '') return cfg.server_name;
  return isIP(host) === 0 ? host : undefined;
}

/** Earliest notAfter (seconds since the epoch) of the chain the server presented, or undefined. */
export function earliestCertExpiry(socket: TLSSocket): number | undefined {
  let cert = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  let earliest: number | undefined;
  const seen = new Set<string>();
  // The chain ends with a self-signed certificate whose issuerCertificate is itself.
  while (cert && cert.valid_to && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const t = Date.parse(cert.valid_to) / 1000;
    if (Number.isFinite(t) && (earliest === undefined || t < earliest)) earliest = t;
    cert = cert.issuerCertificate;
  }
  return earliest;
}
