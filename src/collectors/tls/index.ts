// tls: expiry of the PEM certificates in host.tls.cert_files (paths or globs, used as given, not
// under rootfs_path). Each file is stat'ed every scrape and re-parsed only when it changed. A file
// that cannot be read or holds no valid certificate does not fail the collector: it is reported by
// hostwatch_tls_cert_file_error{path} 1 and its good certificates, if any, are still exported.
import { readFile, stat } from 'node:fs/promises';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import type { Logger } from '../../core/log.js';
import { defineMetric, type Sample } from '../../core/metric.js';

import { hasWildcard } from '../../core/glob.js';
import { compileGlob, expandGlob, type CompiledGlob } from './glob.js';
import { parseCertFile, type ParsedCertFile } from './parse.js';

/** Files and certificates exported at most, whatever the globs match. */
export const MAX_CERT_FILES = 500;
export const MAX_CERTS = 2000;
/** Larger files are not certificates someone meant to watch. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

interface FileState {
  path: string;
  /** Identity of the parsed content: re-parse when it changes. */
  version: string;
  parsed: ParsedCertFile;
}

export class TlsCollector implements Collector {
  private readonly literal: string[] = [];
  private readonly globs: CompiledGlob[] = [];
  private readonly logger: Logger;
  private files = new Map<string, FileState>();

  constructor(ctx: CollectorContext) {
    this.logger = ctx.logger;
    for (const p of ctx.config.host.tls.cert_files) {
      if (hasWildcard(p)) this.globs.push(compileGlob(p));
      else this.literal.push(p);
    }
    const certSamples = (pick: 'notAfter' | 'notBefore') => (): Sample[] => {
      const out: Sample[] = [];
      for (const f of this.files.values()) {
        for (const c of f.parsed.certs) {
          if (out.length >= MAX_CERTS) return out;
          out.push({ labels: { path: f.path, subject: c.subject, issuer: c.issuer }, value: c[pick] });
        }
      }
      return out;
    };
    const labels = ['path', 'subject', 'issuer'];
    defineMetric(ctx.registry, {
      name: 'hostwatch_tls_cert_not_after_seconds',
      help: 'Expiry time of the certificate, in seconds since the epoch.',
      type: 'gauge',
      labelNames: labels,
      samples: certSamples('notAfter'),
    });
    defineMetric(ctx.registry, {
      name: 'hostwatch_tls_cert_not_before_seconds',
      help: 'Start of validity of the certificate, in seconds since the epoch.',
      type: 'gauge',
      labelNames: labels,
      samples: certSamples('notBefore'),
    });
    defineMetric(ctx.registry, {
      name: 'hostwatch_tls_cert_file_error',
      help: 'Whether the certificate file could not be read or holds an invalid or no certificate.',
      type: 'gauge',
      labelNames: ['path'],
      samples: () => [...this.files.values()].map((f) => ({ labels: { path: f.path }, value: f.parsed.error ? 1 : 0 })),
    });
  }

  /** Configured files: literal paths always (a missing one is an error), glob matches that exist. */
  private async paths(): Promise<{ path: string; required: boolean }[]> {
    const out = this.literal.map((path) => ({ path, required: true }));
    const expanded = await Promise.all(this.globs.map((g) => expandGlob(g, MAX_CERT_FILES)));
    const seen = new Set(this.literal);
    for (const list of expanded) {
      for (const path of list) {
        if (seen.has(path)) continue;
        seen.add(path);
        out.push({ path, required: false });
      }
    }
    return out.slice(0, MAX_CERT_FILES);
  }

  private async readOne(path: string, required: boolean): Promise<FileState | undefined> {
    let version: string;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      if (st.size > MAX_FILE_BYTES) throw new Error(`file larger than ${MAX_FILE_BYTES} bytes`);
      version = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
      const prev = this.files.get(path);
      if (prev && prev.version === version) return prev;
      const parsed = parseCertFile(await readFile(path, 'utf8'));
      if (parsed.error) this.logger.warn('bad certificate file', { path, err: parsed.error });
      return { path, version, parsed };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!required && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
      const message = code ?? (err as Error).message;
      // Logged once per change of state, not on every scrape of a file that stays broken.
      if (this.files.get(path)?.parsed.error !== message) this.logger.warn('cannot read certificate file', { path, err: message });
      return { path, version: '', parsed: { certs: [], error: message } };
    }
  }

  async update(): Promise<void> {
    const paths = await this.paths();
    const states = await Promise.all(paths.map((p) => this.readOne(p.path, p.required)));
    const next = new Map<string, FileState>();
    for (const s of states) if (s) next.set(s.path, s);
    this.files = next;
  }
}

export const tlsCollector: CollectorDefinition = {
  name: 'tls',
  help: 'expiry of the PEM certificates listed in host.tls.cert_files',
  defaultEnabled: true,
  create: (ctx) => new TlsCollector(ctx),
};
