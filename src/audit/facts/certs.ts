// The certificates of host.tls.cert_files (paths or globs, used as given, as the TLS collector does),
// with what makes one weak: expiry, key size, signature hash. In a bundle, the trust anchors (self-
// signed CA certificates after the first) are left out: their own signature is never checked.
import { readFile } from 'node:fs/promises';
import { compileGlob, expandGlob } from '../../collectors/tls/glob.js';
import { hasWildcard } from '../../core/glob.js';
import { MAX_CERT_FILES } from '../../collectors/tls/index.js';
import { certInfo, splitPemCertificates } from '../../collectors/tls/parse.js';
import { certStrength } from '../../collectors/tls/strength.js';
import type { FactContext } from './context.js';
import type { CertFact, CertFacts } from './types.js';

const MAX_FILE_BYTES = 4 * 1024 * 1024;

export async function readCerts(ctx: FactContext): Promise<CertFacts> {
  const paths: string[] = [];
  for (const p of ctx.certFiles) {
    if (hasWildcard(p)) paths.push(...(await expandGlob(compileGlob(p), MAX_CERT_FILES)));
    else paths.push(p);
  }
  const certs: CertFact[] = [];
  const errors: string[] = [];
  for (const path of [...new Set(paths)].slice(0, MAX_CERT_FILES)) {
    let text: string;
    try {
      const buf = await readFile(path);
      if (buf.length > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      text = buf.toString('utf8');
    } catch (err) {
      errors.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      continue;
    }
    splitPemCertificates(text).forEach((pem, i) => {
      try {
        const info = certInfo(pem);
        const strength = certStrength(pem);
        if (i > 0 && strength.selfSigned) return;
        certs.push({ path, subject: info.subject, notAfter: info.notAfter, ...strength });
      } catch (err) {
        errors.push(`${path}: certificate ${i + 1}: ${(err as Error).message}`);
      }
    });
  }
  return { certs, errors, now: ctx.now };
}
