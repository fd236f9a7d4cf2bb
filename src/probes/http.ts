// The http probe: one request (and its redirects) on a fresh connection, as blackbox_exporter's http
// prober. The target name is resolved first (resolve phase, preferred IP family), and the request
// connects to that address through a custom lookup, so the Host header, SNI and certificate check
// still use the name. Phases come from the socket's events: connect, secureConnect (tls), the response
// headers (processing: time to first byte) and the end of the body (transfer).
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { userRegex } from '../core/regex.js';
import type { HttpProbeConfig } from './config.js';
import { bareHost, resolveTarget, type Resolved } from './resolve.js';
import { ProbeError, type ProbeRun } from './result.js';
import { earliestCertExpiry, loadTlsOptions, serverName, type TlsOptions } from './tls.js';

const MAX_REDIRECTS = 10;
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

interface Prepared {
  cfg: HttpProbeConfig;
  tls: TlsOptions;
  mustNotMatch: ReturnType<typeof userRegex>[];
  mustMatch: ReturnType<typeof userRegex>[];
}

interface Response {
  status: number;
  location?: string;
}

/** Prepares an http probe (reads its TLS files, compiles its regexps); the result runs it. */
export async function prepareHttp(cfg: HttpProbeConfig): Promise<(run: ProbeRun) => Promise<void>> {
  const h = cfg.http;
  const p: Prepared = {
    cfg,
    tls: await loadTlsOptions(h.tls_config),
    mustNotMatch: h.fail_if_body_matches_regexp.map(userRegex),
    mustMatch: h.fail_if_body_not_matches_regexp.map(userRegex),
  };
  return (run) => probeHttp(p, run);
}

async function probeHttp(p: Prepared, run: ProbeRun): Promise<void> {
  const h = p.cfg.http;
  let url = new URL(p.cfg.target);
  let method = h.method;
  let body = h.body;
  for (let hop = 0; ; hop++) {
    const res = await request(p, run, url, method, body);
    run.details.httpStatus = res.status;
    run.details.httpRedirects = hop;
    if (!h.follow_redirects || !REDIRECT_CODES.has(res.status) || res.location === undefined) {
      checkStatus(h.valid_status_codes, res.status);
      return;
    }
    if (hop === MAX_REDIRECTS) throw new ProbeError('redirects', `more than ${MAX_REDIRECTS} redirects`);
    url = new URL(res.location, url);
    // As browsers and Go's client: 303 turns any method but HEAD into GET, 301/302 turn POST into GET.
    if ((res.status === 303 && method !== 'HEAD') || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = '';
    }
    run.begin('resolve');
  }
}

function checkStatus(valid: number[], status: number): void {
  const ok = valid.length === 0 ? status >= 200 && status < 300 : valid.includes(status);
  if (!ok) throw new ProbeError('status_code', `status code ${status} is not ${valid.length === 0 ? '2xx' : valid.join(', ')}`);
}

/** A lookup that hands out the address resolved beforehand. */
function fixedLookup(r: Resolved): LookupFunction {
  return (_host, opts, cb) => {
    if (opts.all)
      (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: r.address, family: r.family }]);
    else cb(null, r.address, r.family);
  };
}

async function request(p: Prepared, run: ProbeRun, url: URL, method: string, body: string): Promise<Response> {
  const h = p.cfg.http;
  const host = bareHost(url.hostname);
  const resolved = await resolveTarget(host, h, run.signal);
  run.details.ipProtocol = resolved.family;
  run.end('resolve', 'connect');
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { 'User-Agent': 'hostwatch-probe', ...h.headers };
  if (body !== '') headers['Content-Length'] = String(Buffer.byteLength(body));
  const options: https.RequestOptions = {
    method,
    host,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    path: url.pathname + url.search,
    headers,
    agent: false,
    lookup: fixedLookup(resolved),
    signal: run.signal,
    ...(secure ? { ...p.tls, servername: serverName(h.tls_config, host) } : {}),
  };
  return new Promise<Response>((resolve, reject) => {
    const req = (secure ? https : http).request(options);
    req.on('error', reject);
    req.on('socket', (socket: Socket) => {
      socket.once('connect', () => run.end('connect', secure ? 'tls' : 'processing'));
      if (secure) {
        socket.once('secureConnect', () => {
          run.details.certExpiry = earliestCertExpiry(socket as TLSSocket);
          run.end('tls', 'processing');
        });
      }
    });
    req.on('response', (res) => {
      run.end('processing', 'transfer');
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      readBody(p, res, status).then(() => {
        run.end('transfer');
        resolve({ status, location });
      }, reject);
    });
    req.end(body === '' ? undefined : body);
  });
}

/** Reads the body: kept (up to body_size_limit) only when a regexp needs it, else drained. */
function readBody(p: Prepared, res: http.IncomingMessage, status: number): Promise<void> {
  const h = p.cfg.http;
  const keep = (p.mustMatch.length > 0 || p.mustNotMatch.length > 0) && !(REDIRECT_CODES.has(status) && h.follow_redirects);
  return new Promise<void>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (d: Buffer) => {
      if (!keep) return;
      size += d.length;
      if (size > h.body_size_limit) {
        res.destroy(new ProbeError('body_too_large', `body longer than body_size_limit (${h.body_size_limit} bytes)`));
        return;
      }
      chunks.push(d);
    });
    res.on('error', reject);
    res.on('end', () => {
      if (!keep) return resolve();
      const text = Buffer.concat(chunks).toString('utf8');
      const bad = p.mustNotMatch.find((re) => re.test(text));
      if (bad) return reject(new ProbeError('body_regexp', `body matches ${bad.source}`));
      const missing = p.mustMatch.find((re) => !re.test(text));
      if (missing) return reject(new ProbeError('body_regexp', `body does not match ${missing.source}`));
      resolve();
    });
  });
}
