// The `firewall` log type: netfilter packets by action/protocol/direction, blocked ports and
// port-scan detection. Metrics render from the checkpointed (published) state only.
import type { Registry } from 'prom-client';
import type { FirewallLogConfig } from './config.js';
import type { Clock } from '../../core/clock.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import type { HandlerContext, LogType } from '../handler.js';
import { firewallParseFields } from './fields.js';
import { firewallExplainLines } from './explain.js';
import { scanningSources } from '../security/portscan.js';
import { ACTIONS, DIRECTIONS, FirewallHandler, PROTOCOLS, type FirewallState } from './handler.js';

type Published = () => ReadonlyMap<string, { config: FirewallLogConfig; state: FirewallState }>;

export const OTHER_PORT = '__other__';

export const firewallLogType: LogType<FirewallLogConfig, FirewallState> = {
  registerMetrics(registry: Registry, published: Published, clock: Clock): void {
    defineMetric(registry, {
      name: 'hostwatch_firewall_packets_total',
      help: 'Packets logged by the firewall, by action (from the log prefix), protocol and direction.',
      type: 'counter',
      labelNames: ['log', 'action', 'protocol', 'direction'],
      samples: () => {
        const out: Sample[] = [];
        for (const [log, { state }] of published()) {
          let i = 0;
          for (const action of ACTIONS) {
            for (const protocol of PROTOCOLS) {
              for (const direction of DIRECTIONS) {
                const value = state.packets[i++];
                if (value > 0) out.push({ labels: { log, action, protocol, direction }, value });
              }
            }
          }
        }
        return out;
      },
    });
    defineMetric(registry, {
      name: 'hostwatch_firewall_blocked_ports_total',
      help: 'Blocked inbound TCP/UDP packets by destination port: the first top_ports frequently hit ports, the rest "__other__".',
      type: 'counter',
      labelNames: ['log', 'port'],
      samples: () => {
        const out: Sample[] = [];
        for (const [log, { state }] of published()) {
          for (const port in state.blockedPorts.ports) out.push({ labels: { log, port }, value: state.blockedPorts.ports[port] });
          out.push({ labels: { log, port: OTHER_PORT }, value: state.blockedPorts.other });
        }
        return out;
      },
    });
    defineMetric(registry, {
      name: 'hostwatch_portscan_detections_total',
      help: 'Sources crossing the port-scan threshold (distinct blocked destination ports within the window), once per crossing.',
      type: 'counter',
      labelNames: ['log'],
      samples: () => [...published()].map(([log, { state }]) => ({ labels: { log }, value: state.portscanDetections })),
    });
    defineMetric(registry, {
      name: 'hostwatch_portscan_sources',
      help: 'Sources currently at or over the port-scan threshold within the window.',
      type: 'gauge',
      labelNames: ['log'],
      samples: () =>
        [...published()].map(([log, { config, state }]) => ({
          labels: { log },
          value: scanningSources(state.portscan, clock.now(), config.portscan.distinct_ports, config.portscan.window),
        })),
    });
  },
  createHandler(ctx: HandlerContext<FirewallLogConfig>) {
    return new FirewallHandler(ctx);
  },
  parseFields: firewallParseFields,
  explainLines: firewallExplainLines,
};
