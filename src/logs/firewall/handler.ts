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
import { TopPorts, emptyTopPorts, topPortsCapacity, type TopPortsState } from './top-ports.js';
import { sourceKey } from '../security/source-key.js';
import { arrayOf, checkWindows, count, counterRecord, isObject, MAX_SOURCE_LENGTH, softly, type Problems } from '../security/validate.js';
import { emptyWindows } from '../security/window.js';
import type { Logger } from '../../core/log.js';

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
    portscan: { ...emptyWindows(), ports: [] },
  };
}

export function isBlockedInbound(p: FirewallPacket): boolean {
  return (p.action === 'block' || p.action === 'reject' || p.action === 'limit') && p.direction !== 'out';
}

export class FirewallHandler implements LogHandler<FirewallState> {
  private packets: number[];
  private detections = 0;
  private blocked = 0;
  private readonly ports: TopPorts;
  private readonly topPorts: number;
  private readonly detector: PortScanDetector;
  private readonly clock: Clock;
  private readonly logger?: Logger;

  constructor(ctx: Pick<HandlerContext<FirewallLogConfig>, 'config' | 'clock'> & { logger?: Logger }) {
    const ps = ctx.config.portscan;
    this.detector = new PortScanDetector({ distinctPorts: ps.distinct_ports, window: ps.window, maxSources: ps.max_sources });
    this.topPorts = ctx.config.top_ports;
    this.ports = new TopPorts(this.topPorts);
    this.packets = emptyFirewallState().packets;
    this.clock = ctx.clock;
    this.logger = ctx.logger;
  }

  /** Packets counted as blocked inbound TCP/UDP (per port and for scans) by this handler (for `hostwatch parse`). */
  get blockedInbound(): number {
    return this.blocked;
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
      this.blocked++;
      this.ports.count(p.dpt);
      // SRC= is an address written by the kernel; the length cap only bounds memory on garbage.
      if (p.src !== undefined) {
        const src = sourceKey(p.src.length > MAX_SOURCE_LENGTH ? p.src.slice(0, MAX_SOURCE_LENGTH) : p.src);
        if (this.detector.record(src, p.dpt, p.timestamp ?? this.clock.now())) this.detections++;
      }
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

  /** The counters, the top ports and the sources at the port-scan threshold. */
  metricsView(s: FirewallState): FirewallState {
    return { ...s, portscan: this.detector.metricsView(s.portscan) };
  }

  /**
   * Restores a checkpointed state (see ../security/validate.ts for the policy): throws when the
   * counters cannot be trusted (the pipeline then moves the checkpoint aside); a malformed port-scan
   * window or top-ports summary is discarded and said in the log. The state of earlier versions
   * (the detector as [source, over, ports, times] per source) is migrated.
   */
  restore(state: FirewallState): void {
    const problems: Problems = [];
    if (!isObject(state)) throw new Error('firewall state: not an object');
    const packets = arrayOf(state.packets, 'packets');
    if (packets.length !== emptyFirewallState().packets.length) throw new Error('packets: not the counters of this version');
    packets.forEach((n, i) => count(n, `packets[${i}]`));
    const detections = count(state.portscanDetections, 'portscanDetections');
    const ports = checkTopPorts(state.blockedPorts, this.topPorts, problems);
    const raw = state.portscan as unknown;
    const portscan = softly(
      () =>
        isObject(raw) && Array.isArray(raw.sources) && raw.counts === undefined
          ? v1Windows(raw.sources)
          : checkWindows<PortScanSnapshot>(raw, 'portscan', true),
      () => emptyFirewallState().portscan,
      problems,
    );
    this.packets = (packets as number[]).slice();
    this.detections = detections;
    this.ports.restore(ports);
    this.detector.restore(portscan);
    if (problems.length > 0) this.logger?.warn('firewall state adapted on restore', { problems: problems.join('; ') });
  }
}

/**
 * The blocked-port counters: throws on a value that is not a count (they are metrics); a port that
 * is not one, or more ports than top_ports, is dropped (the first ones kept); the candidates of the
 * summary are soft state, discarded when malformed.
 */
function checkTopPorts(v: unknown, topPorts: number, problems: Problems): TopPortsState {
  if (!isObject(v)) throw new Error('blockedPorts: not an object');
  const ports = counterRecord(v.ports, 'blockedPorts.ports', (k) => /^\d{1,5}$/.test(k) && Number(k) <= 65535, problems);
  const keys = Object.keys(ports);
  if (keys.length > topPorts) {
    for (const k of keys.slice(topPorts)) delete ports[k];
    problems.push(`blockedPorts.ports: ${keys.length} ports, top_ports is ${topPorts}: the series of ${keys.length - topPorts} dropped`);
  }
  const other = count(v.other, 'blockedPorts.other');
  const candidates = softly(
    () => {
      const c = arrayOf(v.candidates, 'blockedPorts.candidates');
      if (c.length > topPortsCapacity(topPorts)) throw new Error(`blockedPorts.candidates: ${c.length} candidates`);
      c.forEach((e, i) => {
        if (!Array.isArray(e) || e.length !== 2 || !isPortNumber(e[0]) || count(e[1], `blockedPorts.candidates[${i}]`) === 0) {
          throw new Error(`blockedPorts.candidates[${i}]: not a [port, count]`);
        }
      });
      return c as [number, number][];
    },
    () => [],
    problems,
  );
  return { ports, other, candidates };
}

const isPortNumber = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;

/** The detector of the first checkpoints: [source, over, ports, last hit times] per source, least recently active first. */
function v1Windows(entries: unknown[]): PortScanSnapshot {
  const rows = entries.map((e, i) => {
    const [source, , ports, times] = arrayOf(e, `portscan.sources[${i}]`);
    if (typeof source !== 'string' || source === '' || source.length > MAX_SOURCE_LENGTH)
      throw new Error(`portscan.sources[${i}]: no source`);
    const ps = arrayOf(ports, `portscan.sources[${i}]`);
    const ts = arrayOf(times, `portscan.sources[${i}]`);
    if (ps.length !== ts.length || !ps.every(isPortNumber) || !ts.every((t) => typeof t === 'number' && Number.isFinite(t) && t >= 0)) {
      throw new Error(`portscan.sources[${i}]: bad ports or times`);
    }
    return { source, ports: ps as number[], times: ts as number[] };
  });
  let at = 0;
  for (const r of rows) for (const t of r.times) at = Math.max(at, t);
  const snap: PortScanSnapshot = { ...emptyWindows(), at, ports: [] };
  for (const r of rows) {
    snap.sources.push(r.source);
    snap.counts.push(r.times.length);
    r.times.forEach((t, j) => {
      snap.ages.push(at - t);
      snap.ports.push(r.ports[j]);
    });
  }
  return checkWindows<PortScanSnapshot>(snap, 'portscan', true);
}
