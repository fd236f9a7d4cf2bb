// `hostwatch parse --type firewall` as a filter tester: the exporter's handler over the lines, so
// the summary is what the exporter would export. Every packet line counts (in
// hostwatch_firewall_packets_total); blocked inbound TCP/UDP packets also count per destination
// port and for port-scan detection (the summary says how many).
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import type { LineExplainer, LineVerdict, ExplainOptions } from '../handler.js';
import { listed } from '../auth/explain.js';
import type { FirewallLogConfig } from './config.js';
import { ACTIONS, DIRECTIONS, FirewallHandler, PROTOCOLS } from './handler.js';

export async function firewallExplainLines(opts: ExplainOptions<FirewallLogConfig>): Promise<LineExplainer> {
  const config = await opts.logSettings();
  const handler = new FirewallHandler({ config, clock: new ManualClock(Date.now()), logger: silentLogger });
  const lines = { parsed: 0, unparsed: 0 };
  let blocked = 0;
  return {
    line(text: string): LineVerdict {
      const before = handler.blockedInbound;
      const r = handler.processLine(text);
      lines[r.parsed ? 'parsed' : 'unparsed']++;
      if (!r.parsed) return { recognised: false, counted: false };
      if (handler.blockedInbound > before) blocked++;
      return { recognised: true, counted: true };
    },
    summary(): string[] {
      const s = handler.snapshot();
      const packets: Record<string, number> = {};
      s.packets.forEach((n, i) => {
        if (n === 0) return;
        const d = i % DIRECTIONS.length;
        const p = Math.floor(i / DIRECTIONS.length) % PROTOCOLS.length;
        const a = Math.floor(i / DIRECTIONS.length / PROTOCOLS.length);
        packets[`${ACTIONS[a]}|${PROTOCOLS[p]}|${DIRECTIONS[d]}`] = n;
      });
      return [
        `hostwatch_log_lines_total: parsed ${lines.parsed}, unparsed ${lines.unparsed}`,
        `hostwatch_firewall_packets_total: ${listed(packets, '/')}`,
        `blocked inbound TCP/UDP packets (ports and scans): ${blocked}`,
        `hostwatch_firewall_blocked_ports_total: ${listed({ ...s.blockedPorts.ports, __other__: s.blockedPorts.other })}`,
        `hostwatch_portscan_detections_total: ${s.portscanDetections}`,
      ];
    },
  };
}
