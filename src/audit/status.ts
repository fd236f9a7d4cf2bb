// The encryption status behind the hostwatch_encryption_* metrics, from the facts of an audit run,
// with the same classifications as the encryption checks. A fact that could not be read leaves its
// part undefined (its metric absent) rather than guessed.
import type { FactContext } from './facts/context.js';
import { PLAINTEXT_PROTOCOLS, plaintextListeners, type PlaintextProtocol } from './checks/encryption.js';
import { weakKey, weakSignature } from '../collectors/tls/strength.js';

export interface EncryptionStatus {
  filesystems: { mountpoint: string; encrypted: boolean }[];
  /** Every swap area encrypted or in memory (true without swap); undefined when unknown. */
  swapEncrypted?: boolean;
  plaintext?: Record<PlaintextProtocol, number>;
  weakCertificates?: number;
}

const settle = <T>(p: Promise<T>) =>
  p.then(
    (v) => v,
    () => undefined,
  );

export async function encryptionStatus(facts: FactContext): Promise<EncryptionStatus> {
  const [enc, listeners, certs] = await Promise.all([
    settle(facts.get('encryption')),
    settle(facts.get('listeners')),
    settle(facts.get('certs')),
  ]);
  const status: EncryptionStatus = {
    filesystems: enc?.filesystems.map((f) => ({ mountpoint: f.mountpoint, encrypted: f.encrypted })) ?? [],
  };
  if (enc) {
    const known = enc.swap.every((s) => s.encrypted !== undefined);
    if (enc.swap.some((s) => s.encrypted === false)) status.swapEncrypted = false;
    else if (known) status.swapEncrypted = true;
  }
  if (listeners) {
    const counts = Object.fromEntries(PLAINTEXT_PROTOCOLS.map((p) => [p, 0])) as Record<PlaintextProtocol, number>;
    for (const p of plaintextListeners(listeners)) counts[p.protocol]++;
    status.plaintext = counts;
  }
  if (certs)
    status.weakCertificates = certs.certs.filter((c) => weakKey(c) || (!c.selfSigned && weakSignature(c.signatureAlgorithm))).length;
  return status;
}
