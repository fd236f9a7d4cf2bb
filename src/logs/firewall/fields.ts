// `hostwatch parse --type firewall`: the fields of each netfilter line.
import type { LineParser } from '../handler.js';
import { parseFirewallLine } from './parse.js';

export function firewallLineFields(line: string, now: number): Record<string, unknown> | undefined {
  const p = parseFirewallLine(line, now);
  if (!p) return undefined;
  return {
    action: p.action,
    src: p.src ?? null,
    dst: p.dst ?? null,
    proto: p.proto ?? null,
    spt: p.spt ?? null,
    dpt: p.dpt ?? null,
    in: p.in,
    out: p.out,
    prefix: p.prefix,
    direction: p.direction,
    len: p.len ?? null,
    flags: p.flags,
    timestamp: p.timestamp === undefined ? null : new Date(p.timestamp).toISOString(),
  };
}

/** Lines without a year are dated relative to the time `hostwatch parse` starts. */
export function firewallParseFields(): LineParser {
  const now = Date.now();
  return (line) => firewallLineFields(line, now);
}
