// docs/api.md checked against the running server: every request example is sent to a real
// Exporter (logs and FIM collectors on a temp tree, bearer token files), and the answer must have
// the documented status and the documented shape (same keys, same JSON types, in every array
// element). Every route of the API router must have a section in the doc.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { appendFile, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exporter } from '../../src/exporter/exporter.js';
import { testExporter } from '../support/test-exporter.js';
import { logsCollector } from '../../src/collectors/logs/index.js';
import { fimCollector } from '../../src/collectors/fim/index.js';
import { createApiRouter } from '../../src/server/api/router.js';

interface Example {
  section: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  status: number;
  /** Parsed JSON, or the text of a text response. */
  response: unknown;
  text: boolean;
}

/** The request/response pairs of docs/api.md, in document order. */
function parseExamples(md: string): { examples: Example[]; sections: string[] } {
  const examples: Example[] = [];
  const sections: string[] = [];
  let section = '';
  let pending: Omit<Example, 'status' | 'response' | 'text'> | undefined;
  const re = /^## (.+)$|^```(http request|(json|text) response (\d{3}))\n([\s\S]*?)^```$/gm;
  for (const m of md.matchAll(re)) {
    if (m[1] !== undefined) {
      section = m[1];
      sections.push(section);
      continue;
    }
    if (m[2] === 'http request') {
      const [head, ...rest] = m[5].split(/\n\n/);
      const [line, ...headerLines] = head.trim().split('\n');
      const [method, path] = line.split(' ');
      const headers = Object.fromEntries(headerLines.map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()]));
      pending = { section, method, path, headers, body: rest.length ? rest.join('\n\n') : undefined };
    } else {
      expect(pending, `response block without request in ${section}`).toBeDefined();
      const text = m[3] === 'text';
      examples.push({ ...pending!, status: Number(m[4]), text, response: text ? m[5] : JSON.parse(m[5]) });
      pending = undefined;
    }
  }
  return { examples, sections };
}

/** Differences between the documented shape and the actual value, as paths. */
function shapeDiff(doc: unknown, actual: unknown, at = '$'): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(doc) !== kind(actual)) return [`${at}: documented ${kind(doc)}, got ${kind(actual)} (${JSON.stringify(actual)})`];
  if (Array.isArray(doc)) {
    const a = actual as unknown[];
    if (doc.length === 0) return [];
    if (a.length === 0) return [`${at}: documented a non-empty array, got []`];
    // Each element must have the shape of one of the documented elements (the doc shows the variants).
    return a.flatMap((el, i) => {
      const diffs = doc.map((d) => shapeDiff(d, el, `${at}[${i}]`));
      return diffs.find((x) => x.length === 0) ?? diffs[0];
    });
  }
  if (kind(doc) === 'object') {
    const d = doc as Record<string, unknown>;
    const o = actual as Record<string, unknown>;
    const out: string[] = [];
    for (const k of Object.keys(d)) if (!(k in o)) out.push(`${at}.${k}: documented, missing`);
    for (const k of Object.keys(o)) if (!(k in d)) out.push(`${at}.${k}: not documented`);
    for (const k of Object.keys(d)) if (k in o) out.push(...shapeDiff(d[k], o[k], `${at}.${k}`));
    return out;
  }
  return [];
}

/** Documented lines of a text answer that it lacks: sample lines by metric name, others verbatim. */
function missingLines(doc: string, actual: string): string[] {
  const lines = actual.split('\n');
  return doc
    .split('\n')
    .filter((l) => l !== '')
    .filter((l) => {
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(l);
      if (sample && !l.startsWith('#')) return !lines.some((a) => a.startsWith(`${sample[1]}{`) || a.startsWith(`${sample[1]} `));
      return !lines.includes(l);
    });
}

let dir: string;
let exporter: Exporter;
const tokens = { viewer: 'viewer-token-000000000001', operator: 'operator-token-0000000002', admin: 'admin-token-00000000000003' };

function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port: exporter.address.port, method, path, headers, agent: false }, (res) => {
      let t = '';
      res.on('data', (d) => (t += d));
      res.on('end', () => resolve({ status: res.statusCode!, text: t }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-apidocs-'));
  const etc = join(dir, 'etc');
  await mkdir(etc);
  await writeFile(join(etc, 'hosts'), '127.0.0.1 localhost\n');
  await writeFile(join(dir, 'access.log'), '');
  for (const [role, t] of Object.entries(tokens)) await writeFile(join(dir, `${role}.token`), t);
  await writeFile(
    join(dir, 'web.yml'),
    `bearer_tokens:\n  - {file: viewer.token}\n  - {file: operator.token, role: operator}\n  - {file: admin.token, role: admin}\n`,
  );
  await writeFile(
    join(dir, 'hostwatch.yml'),
    `logs:
  - {name: nginx, type: access, path: ${join(dir, 'access.log')}, format: combined}
fim:
  enabled: true
  roots: [{path: ${etc}}]
actions:
  - name: block-source
    alertname: SSHBruteForce
    command: [/usr/sbin/ufw, insert, '1', deny, from, '{{source}}']
    labels: {source: ip}
`,
  );
  exporter = testExporter(dir, {
    webConfigFile: join(dir, 'web.yml'),
    collectors: [logsCollector, fimCollector],
    availableCollectors: ['cpu', 'logs', 'fim'],
  });
  await exporter.start();
  // A new log is followed from its end, as tail -F does: the line is written once it is followed.
  await appendFile(join(dir, 'access.log'), '203.0.113.9 - - [30/Nov/2026:08:00:14 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.0"\n');
  // Until the first FIM scan is recorded and the log line is read, the status has nulls.
  const auth = { Authorization: `Bearer ${tokens.viewer}` };
  for (let i = 0; i < 100; i++) {
    const m = (await send('GET', '/metrics', auth)).text;
    if (/hostwatch_fim_last_scan_timestamp_seconds\{/.test(m) && /hostwatch_log_last_line_timestamp_seconds\{/.test(m)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // A change for the FIM accept example to accept.
  await writeFile(join(etc, 'hosts'), '127.0.0.1 localhost\n::1 localhost\n');
});

afterAll(async () => {
  await exporter?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('docs/api.md', () => {
  it('documents every API route', async () => {
    const { sections } = parseExamples(await readFile('docs/api.md', 'utf8'));
    const router = createApiRouter({
      status: async () => ({}),
      alerts: () => ({ decisions: [] }),
      fimAccept: async () => [],
    }) as unknown as {
      stack: { route?: { path: string; methods: Record<string, boolean> } }[];
    };
    const routes = router.stack
      .filter((l) => l.route && !l.route.path.includes('*'))
      .flatMap((l) =>
        Object.keys(l.route!.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${l.route!.path}`),
      );
    expect(routes.length).toBeGreaterThan(0);
    expect(sections.filter((s) => /^(GET|POST|PUT|DELETE) \/api\//.test(s)).sort()).toEqual(routes.sort());
  });

  it('every example answers with the documented status and shape', async () => {
    const { examples } = parseExamples(await readFile('docs/api.md', 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(6);
    // The status example shows a remediation decision: make one first (another source and
    // fingerprint, so that the webhook example itself is not a duplicate or in cooldown).
    const hook = examples.find((e) => e.path === '/api/v1/alertmanager' && e.status === 200)!;
    const earlier = hook.body!.replaceAll('203.0.113.7', '198.51.100.1').replaceAll('5a0e9c7d3b1f2e4a', 'aaaa0000bbbb1111');
    expect(
      (await send('POST', hook.path, { Authorization: `Bearer ${tokens.operator}`, 'Content-Type': 'application/json' }, earlier)).status,
    ).toBe(200);

    const substitute = (s: string) =>
      s
        .replace(/<(viewer|operator|admin) token>/, (_m, role: keyof typeof tokens) => tokens[role])
        .replaceAll('"/etc/hosts"', JSON.stringify(join(dir, 'etc', 'hosts')));
    for (const ex of examples) {
      const headers = Object.fromEntries(Object.entries(ex.headers).map(([k, v]) => [k, substitute(v)]));
      const res = await send(ex.method, ex.path, headers, ex.body === undefined ? undefined : substitute(ex.body));
      const what = `${ex.method} ${ex.path} (${ex.section}, documented ${ex.status})`;
      expect(res.status, `${what}: ${res.text}`).toBe(ex.status);
      if (ex.text) expect(missingLines(String(ex.response), res.text), what).toEqual([]);
      else expect(shapeDiff(ex.response, JSON.parse(res.text)), what).toEqual([]);
    }
  });
});
