// `hostwatch parse --type auth`: the per-line view of the auth parser. `event`, `reason` and
// `scope` are what the line says by itself; the handler then counts per connection (see event.ts).
import type { LineParser } from '../handler.js';
import { parseAuthLine } from './parse.js';

export function authLineFields(line: string, now: number): Record<string, unknown> | undefined {
  const p = parseAuthLine(line, now);
  if (!p?.event) return undefined;
  const e = p.event;
  const out: Record<string, unknown> = {
    event: e.event,
    service: e.service,
    user: e.user ?? null,
    source: e.source ?? null,
    reason: e.reason ?? null,
  };
  if (e.method !== undefined) out.method = e.method;
  if (e.count !== 1) out.count = e.count;
  if (e.scope !== undefined) out.scope = e.scope;
  out.timestamp = p.timestamp === undefined ? null : new Date(p.timestamp).toISOString();
  return out;
}

/** Lines without a year are dated relative to the time `hostwatch parse` starts. */
export function authParseFields(): LineParser {
  const now = Date.now();
  return (line) => authLineFields(line, now);
}
