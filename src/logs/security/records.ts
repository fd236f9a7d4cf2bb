// Log records (src/logs/record.ts: the journal's entries) go straight to the message-level entry
// points of the auth and firewall grammars, chosen by program as the syslog tag of a file line
// chooses them. This is the one place where a record meets those grammars.
import type { LogRecord } from '../record.js';
import { parseAuthMessage, type ParsedAuthLine } from '../auth/parse.js';
import { parseFirewallLine, type FirewallPacket } from '../firewall/parse.js';

export function authRecord(rec: LogRecord): ParsedAuthLine {
  return {
    timestamp: rec.timestamp,
    host: rec.host,
    program: rec.program,
    pid: rec.pid,
    event: parseAuthMessage(rec.program, rec.message),
  };
}

/**
 * The packet a record logs, or undefined. Packet logs come only from the kernel: the identifier
 * `kernel`, and, when the source knows it (the journal does: journald sets _TRANSPORT, no client
 * can), the kernel transport, so `logger -t kernel '[UFW BLOCK] IN=...'` is not a packet.
 */
export function firewallRecord(rec: LogRecord, now: number): FirewallPacket | undefined {
  if (rec.program !== 'kernel' || (rec.transport !== undefined && rec.transport !== 'kernel')) return undefined;
  const p = parseFirewallLine(rec.message, now);
  if (p) p.timestamp = rec.timestamp;
  return p;
}
