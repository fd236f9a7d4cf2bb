// PEM certificate files: every "BEGIN CERTIFICATE" block of a file (bundles and chains included),
// decoded with node:crypto's X509Certificate.
import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificate blocks of a file, in order; other blocks (keys, CRLs) are ignored. */
export function splitPemCertificates(text: string): string[] {
  return text.match(PEM_BLOCK) ?? [];
}

export interface CertInfo {
  subject: string;
  issuer: string;
  /** Seconds since the epoch. */
  notBefore: number;
  notAfter: number;
}

/** "C=US\nO=Let's Encrypt\nCN=R3" (X509Certificate's form) → "C=US, O=Let's Encrypt, CN=R3" (openssl's order). */
export function formatName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** Parses one PEM certificate; throws on a malformed one. */
export function certInfo(pem: string): CertInfo {
  const cert = new X509Certificate(pem);
  const notBefore = Date.parse(cert.validFrom) / 1000;
  const notAfter = Date.parse(cert.validTo) / 1000;
  if (!Number.isFinite(notBefore) || !Number.isFinite(notAfter))
    throw new Error(`unreadable validity dates ${cert.validFrom} / ${cert.validTo}`);
  return { subject: formatName(cert.subject), issuer: formatName(cert.issuer), notBefore, notAfter };
}

export interface ParsedCertFile {
  certs: CertInfo[];
  /** Why the file is bad (no certificate, or a block that does not parse); undefined when good. */
  error?: string;
}

/**
 * All certificates of a PEM file. A malformed block is an error for the file but the good blocks are
 * still reported. Two certificates with the same subject and issuer (a renewed intermediate in a
 * bundle) would make duplicate series: the one expiring first is kept, the one an alert cares about.
 */
export function parseCertFile(text: string): ParsedCertFile {
  const blocks = splitPemCertificates(text);
  if (blocks.length === 0) return { certs: [], error: 'no PEM certificate in file' };
  const byName = new Map<string, CertInfo>();
  let error: string | undefined;
  for (const b of blocks) {
    let c: CertInfo;
    try {
      c = certInfo(b);
    } catch (err) {
      error = `bad certificate: ${(err as Error).message}`;
      continue;
    }
    const key = `${c.subject}\u0000${c.issuer}`;
    const prev = byName.get(key);
    if (!prev || c.notAfter < prev.notAfter) byName.set(key, c);
  }
  return { certs: [...byName.values()], error };
}
