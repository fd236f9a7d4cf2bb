// The firewall log handler: packet counters by action/protocol/direction, blocked destination
// ports (bounded, see top-ports.ts) and port-scan detection per source.
//
// Only packets the firewall stopped (block, reject, and UFW's rate-limit drops) that came from a
// network (direction in or forward) count for scans and blocked ports: an allowed or audited
// packet is not an attack signal, and outbound blocks are our own hosts. Scans need ports, so TCP
// and UDP only. Detection runs on the line timestamps, like brute force (see ../auth/handler.ts).
import type { Clock } from '../../core/clock.js';
import type { FirewallLogConfig } from './config.js';
import type { HandlerContext, LineResult, LogHandler } from '../handler.js';
import { PortScanDetector, type PortScanSnapshot } from '../security/portscan.js';
import { parseFirewallLine, type FirewallPacket } from './parse.js';
import type { LogRecord } from '../record.js';
import { firewallRecord } from '../security/records.js';
import { TopPorts, emptyTopPorts, type TopPortsState } from './top-ports.js';
import { arrayOf, counterRecord, sourceEntries } from '../security/validate.js';

export const ACTIONS = ['block', 'reject', 'allow', 'limit', 'audit', 'unknown'] as const;
export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'] as const;
export const DIRECTIONS = ['in', 'out', 'forward'] as const;

const ACTION_INDEX: Record<string, number> = Object.fromEntries(ACTIONS.map((a, i) => [a, i]));
const PROTOCOL_INDEX: Record<string, number> = Object.fromEntries(PROTOCOLS.map((p, i) => [p, i]));
const DIRECTION_INDEX: Record<string, number> = Object.fromEntries(DIRECTIONS.map((d, i) => [d, i]));

/** Index of a (action, protocol, direction) counter in the flat `packets` array. */
export function packetIndex(action: string, proto: string | undefined, direction: string): number {
  const p = PROTOCOL_INDEX[proto ?? ''] ?? PROTOCOL_INDEX.other;
  return (ACTION_INDEX[action] * PROTOCOLS.length + p) * DIRECTIONS.length + DIRECTION_INDEX[direction];
}

export interface FirewallState {
  /** Flat counters, see packetIndex(). */
  packets: number[];
  portscanDetections: number;
  blockedPorts: TopPortsState;
  portscan: PortScanSnapshot;
}

export function emptyFirewallState(): FirewallState {
  return {
    packets: new Array<number>(ACTIONS.length * PROTOCOLS.length * DIRECTIONS.length).fill(0),
    portscanDetections: 0,
    blockedPorts: emptyTopPorts(),
    portscan: { sources: [] },
  };
}

export function isBlockedInbound(p: FirewallPacket): boolean {
  return (p.action === 'block' || p.action === 'reject' || p.action === 'limit') && p.direction !== 'out';
}

export class FirewallHandler implements LogHandler<FirewallState> {
  private packets: number[];
  private detections = 0;
  private readonly ports: TopPorts;
  private readonly detector: PortScanDetector;
  private readonly clock: Clock;

  constructor(ctx: Pick<HandlerContext<FirewallLogConfig>, 'config' | 'clock'>) {
    const ps = ctx.config.portscan;
    this.detector = new PortScanDetector({ distinctPorts: ps.distinct_ports, window: ps.window, maxSources: ps.max_sources });
    this.ports = new TopPorts(ctx.config.top_ports);
    this.packets = emptyFirewallState().packets;
    this.clock = ctx.clock;
  }

  get trackedSources(): number {
    return this.detector.size;
  }

  processLine(line: string): LineResult {
    let p: FirewallPacket | undefined;
    try {
      p = parseFirewallLine(line, this.clock.now());
    } catch {
      return { parsed: false };
    }
    return p ? this.count(p) : { parsed: false };
  }

  /**
   * A journal entry. Its header is given, so it is never unparsed: the kernel's other messages (and
   * other programs' entries) are not packets, as a syslog line that is no auth event is parsed.
   */
  processRecord(rec: LogRecord): LineResult {
    let p: FirewallPacket | undefined;
    try {
      p = firewallRecord(rec, this.clock.now());
    } catch {
      p = undefined;
    }
    return p ? this.count(p) : { parsed: true, timestamp: rec.timestamp };
  }

  private count(p: FirewallPacket): LineResult {
    this.packets[packetIndex(p.action, p.proto, p.direction)]++;
    if (isBlockedInbound(p) && p.dpt !== undefined && (p.proto === 'tcp' || p.proto === 'udp')) {
      this.ports.count(p.dpt);
      // SRC= is an address written by the kernel; the length cap only bounds memory on garbage.
      if (p.src !== undefined && this.detector.record(p.src.slice(0, 64), p.dpt, p.timestamp ?? this.clock.now())) this.detections++;
    }
    return { parsed: true, timestamp: p.timestamp };
  }

  snapshot(): FirewallState {
    return {
      packets: this.packets.slice(),
      portscanDetections: this.detections,
      blockedPorts: this.ports.snapshot(),
      portscan: this.detector.snapshot(),
    };
  }

  /** Throws on a state of another shape (the pipeline then moves the checkpoint aside). */
  restore(state: FirewallState): void {
    if (typeof state !== 'object' || state === null) throw new Error('firewall state: not an object');
    const packets = arrayOf(state.packets, 'packets');
    if (packets.length !== emptyFirewallState().packets.length || !packets.every((n) => typeof n === 'number' && n >= 0)) {
      throw new Error('packets: not the counters of this version');
    }
    const detections = state.portscanDetections;
    if (typeof detections !== 'number' || !(detections >= 0)) throw new Error('portscanDetections: not a counter');
    const bp = state.blockedPorts as TopPortsState | undefined;
    counterRecord(bp?.ports, 'blockedPorts.ports');
    if (typeof bp?.other !== 'number') throw new Error('blockedPorts.other: not a counter');
    arrayOf(bp.candidates, 'blockedPorts.candidates');
    sourceEntries(state.portscan, 'portscan', [2, 3]);
    this.packets = (packets as number[]).slice();
    this.detections = detections;
    this.ports.restore(bp);
    this.detector.restore(state.portscan);
  }
}
