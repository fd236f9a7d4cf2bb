// `hostwatch top --url http://host:10023/metrics`: the console fed by a running exporter. Each poll
// scrapes /metrics and turns the counters into what happened since the previous scrape (a counter
// that went down was reset: its new value is the increase). Basic auth or a bearer token, and TLS
// options (a CA file, or no verification), as for any scrape.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { IntervalCounter } from './traffic.js';

export interface MetricsSourceOptions {
  url: string;
  username?: string;
  password?: string;
  bearerToken?: string;
  caFile?: string;
  insecureSkipVerify?: boolean;
  timeoutMs: number;
  counter: IntervalCounter;
  onHits(n: number, at: number): void;
  now(): number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v: string) => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** The samples of the Prometheus text format whose name is in `names`. */
export function parseExposition(text: string, names: ReadonlySet<string>): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m || !names.has(m[1])) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = unescape(l[2]);
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const NAMES = new Set([
  'hostwatch_http_requests_total',
  'hostwatch_http_client_requests_total',
  'hostwatch_auth_failures_total',
  'hostwatch_firewall_blocked_ports_total',
  'hostwatch_fim_changed_files',
]);

export class MetricsSource {
  private previous?: Map<string, number>;
  private readonly agent: http.Agent;

  constructor(private readonly o: MetricsSourceOptions) {
    const url = new URL(o.url);
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ca: o.caFile ? readFileSync(o.caFile) : undefined, rejectUnauthorized: !o.insecureSkipVerify })
        : new http.Agent({ keepAlive: true });
  }

  private fetch(): Promise<string> {
    const url = new URL(this.o.url);
    const headers: Record<string, string> = { Accept: 'text/plain' };
    if (this.o.bearerToken) headers.Authorization = `Bearer ${this.o.bearerToken}`;
    else if (this.o.username !== undefined)
      headers.Authorization = `Basic ${Buffer.from(`${this.o.username}:${this.o.password ?? ''}`).toString('base64')}`;
    const get = url.protocol === 'https:' ? https.get : http.get;
    return new Promise((resolve, reject) => {
      const req = get(url, { headers, agent: this.agent, timeout: this.o.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${this.o.url}: HTTP ${res.statusCode}`));
          else resolve(Buffer.concat(chunks).toString('utf8'));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${this.o.url}: no answer within ${this.o.timeoutMs} ms`)));
      req.on('error', reject);
    });
  }

  /** The first scrape: the baseline (what was counted before the console started is not shown). Throws when the exporter cannot be scraped. */
  async start(): Promise<void> {
    this.previous = this.index(parseExposition(await this.fetch(), NAMES));
  }

  private index(samples: Sample[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const s of samples) m.set(`${s.name}${JSON.stringify(s.labels)}`, s.value);
    return m;
  }

  /** Scrapes and counts the increase since the previous scrape. Throws on a failed scrape (the caller shows it). */
  async poll(): Promise<void> {
    const samples = parseExposition(await this.fetch(), NAMES);
    const prev = this.previous ?? new Map<string, number>();
    const c = this.o.counter;
    let hits = 0;
    let fim: number | undefined;
    for (const s of samples) {
      if (s.name === 'hostwatch_fim_changed_files') {
        fim = (fim ?? 0) + s.value;
        continue;
      }
      const before = prev.get(`${s.name}${JSON.stringify(s.labels)}`) ?? 0;
      const d = s.value >= before ? s.value - before : s.value;
      if (d <= 0) continue;
      switch (s.name) {
        case 'hostwatch_http_requests_total':
          hits += d;
          c.request(s.labels.section, undefined, Number(s.labels.status?.[0]) * 100, d);
          break;
        case 'hostwatch_http_client_requests_total':
          c.client(s.labels.client, d);
          break;
        case 'hostwatch_auth_failures_total':
          c.failedLogin(d);
          break;
        case 'hostwatch_firewall_blocked_ports_total':
          c.blocked(s.labels.port, 'port', d);
          break;
      }
    }
    if (fim !== undefined) c.fimChangedFiles(fim);
    this.previous = this.index(samples);
    if (hits > 0) this.o.onHits(hits, this.o.now());
  }

  close(): void {
    this.agent.destroy();
  }
}
