// A firewall log line, read: the packet and what the firewall did with it. Its own module so that
// the parsers of each log shape (parse.ts, filterlog.ts) share it without importing each other.
export type FirewallAction = 'block' | 'reject' | 'allow' | 'limit' | 'audit' | 'unknown';
export type Direction = 'in' | 'out' | 'forward';

export interface FirewallPacket {
  action: FirewallAction;
  direction: Direction;
  in: string;
  out: string;
  src?: string;
  dst?: string;
  /** Lower-case as logged: tcp, udp, icmp, icmpv6, or a protocol number. */
  proto?: string;
  spt?: number;
  dpt?: number;
  len?: number;
  /** TCP flags present: SYN ACK FIN RST PSH URG. */
  flags: string[];
  /** The log prefix, trimmed (`[UFW BLOCK]`, `IPTables-Dropped:`), '' when there is none. */
  prefix: string;
  timestamp?: number;
}
