// What makes a certificate weak besides its expiry: the size of its key and the hash its issuer
// signed it with. node:crypto's X509Certificate gives the key; the signature algorithm (absent from
// its API in Node 20) is read from the DER: Certificate ::= SEQUENCE { tbsCertificate,
// signatureAlgorithm AlgorithmIdentifier, signatureValue } (RFC 5280 4.1).
import { X509Certificate } from 'node:crypto';

export interface CertStrength {
  /** rsa, rsa-pss, ec, ed25519, ed448, dsa. */
  keyType: string;
  /** RSA/DSA modulus bits, EC curve bits; undefined for Ed25519/Ed448 (fixed strength). */
  keyBits?: number;
  /** Name of the signature algorithm (sha256WithRSAEncryption, ecdsa-with-SHA256, ...) or its OID. */
  signatureAlgorithm: string;
  /** Subject and issuer are the same: a root CA or a self-signed certificate. */
  selfSigned: boolean;
}

const SIGNATURE_OIDS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** Reads one DER tag-length header at `at`: where the content starts and ends. */
function tlv(der: Uint8Array, at: number): { tag: number; start: number; end: number } {
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  const end = start + len;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, start, end };
}

function oidString(bytes: Uint8Array): string {
  const parts = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let v = 0;
  for (let i = 1; i < bytes.length; i++) {
    v = v * 128 + (bytes[i] & 0x7f);
    if (!(bytes[i] & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** The OID of the certificate's outer signatureAlgorithm. */
export function signatureAlgorithmOid(der: Uint8Array): string {
  const cert = tlv(der, 0);
  const tbs = tlv(der, cert.start);
  const alg = tlv(der, tbs.end);
  const oid = tlv(der, alg.start);
  if (cert.tag !== 0x30 || tbs.tag !== 0x30 || alg.tag !== 0x30 || oid.tag !== 0x06) throw new Error('not an X.509 certificate');
  return oidString(der.subarray(oid.start, oid.end));
}

export function certStrength(pem: string): CertStrength {
  const cert = new X509Certificate(pem);
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const keyBits = details.modulusLength ?? (details.namedCurve ? CURVE_BITS[details.namedCurve] : undefined);
  const oid = signatureAlgorithmOid(cert.raw);
  return {
    keyType: key.asymmetricKeyType ?? 'unknown',
    keyBits,
    signatureAlgorithm: SIGNATURE_OIDS[oid] ?? oid,
    selfSigned: cert.subject === cert.issuer,
  };
}

/** Signatures made with a hash that collisions have been found for (MD2, MD5, SHA-1). */
export function weakSignature(algorithm: string): boolean {
  return /md2|md5|sha1/i.test(algorithm);
}

/** Keys below today's minimum: RSA and DSA under 2048 bits, elliptic curves under 256 bits. */
export function weakKey(s: Pick<CertStrength, 'keyType' | 'keyBits'>): boolean {
  if (s.keyBits === undefined) return false;
  if (s.keyType === 'ec') return s.keyBits < 256;
  return s.keyBits < 2048;
}
