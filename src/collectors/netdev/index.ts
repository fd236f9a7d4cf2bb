// netdev: network interface traffic (/proc/net/dev) and link state (/sys/class/net/*/operstate).
// Reads /proc/net/dev of the exporter's network namespace: in a container, run with the host's
// network (--net=host) as for node_exporter.
import { join } from 'node:path';
import type { Collector, CollectorContext, CollectorDefinition } from '../collector.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import { userRegex } from '../../core/regex.js';
import { hostPaths, MAX_SERIES_OBJECTS, readText } from '../hostfs.js';
import { isOperUp, parseNetDev, type NetDevStats } from './parse.js';

export class NetdevCollector implements Collector {
  private readonly file: string;
  private readonly sysNet: string;
  private readonly exclude: RegExp;
  private last: NetDevStats[] = [];
  /** Link state by device; a device without a readable operstate (no /sys) has no up sample. */
  private up = new Map<string, number>();

  constructor(ctx: CollectorContext) {
    const paths = hostPaths(ctx.config.host);
    this.file = join(paths.proc, 'net', 'dev');
    this.sysNet = join(paths.sys, 'class', 'net');
    this.exclude = userRegex(ctx.config.host.netdev.device_exclude);
    const counter = (name: string, help: string, pick: (d: NetDevStats) => number) =>
      defineMetric(ctx.registry, {
        name,
        help,
        type: 'counter',
        labelNames: ['device'],
        samples: () => this.last.map((d) => ({ labels: { device: d.device }, value: pick(d) })),
      });
    counter('hostwatch_network_receive_bytes_total', 'Bytes received.', (d) => d.receiveBytes);
    counter('hostwatch_network_receive_packets_total', 'Packets received.', (d) => d.receivePackets);
    counter('hostwatch_network_receive_errs_total', 'Receive errors.', (d) => d.receiveErrs);
    counter('hostwatch_network_receive_drop_total', 'Received packets dropped.', (d) => d.receiveDrop);
    counter('hostwatch_network_transmit_bytes_total', 'Bytes transmitted.', (d) => d.transmitBytes);
    counter('hostwatch_network_transmit_packets_total', 'Packets transmitted.', (d) => d.transmitPackets);
    counter('hostwatch_network_transmit_errs_total', 'Transmit errors.', (d) => d.transmitErrs);
    counter('hostwatch_network_transmit_drop_total', 'Transmitted packets dropped.', (d) => d.transmitDrop);
    defineMetric(ctx.registry, {
      name: 'hostwatch_network_up',
      help: 'Whether the interface is operationally up (operstate "up").',
      type: 'gauge',
      labelNames: ['device'],
      samples: () => {
        const out: Sample[] = [];
        for (const d of this.last) {
          const v = this.up.get(d.device);
          if (v !== undefined) out.push({ labels: { device: d.device }, value: v });
        }
        return out;
      },
    });
  }

  async update(): Promise<void> {
    const devices = parseNetDev(await readText(this.file))
      .filter((d) => !this.exclude.test(d.device))
      .slice(0, MAX_SERIES_OBJECTS);
    // operstate is optional (no /sys in some containers): an unreadable one only drops that sample.
    const states = await Promise.all(
      devices.map((d) => readText(join(this.sysNet, d.device, 'operstate')).then(isOperUp, () => undefined)),
    );
    const up = new Map<string, number>();
    devices.forEach((d, i) => {
      const s = states[i];
      if (s !== undefined) up.set(d.device, s ? 1 : 0);
    });
    this.last = devices;
    this.up = up;
  }
}

export const netdevCollector: CollectorDefinition = {
  name: 'netdev',
  help: 'network interface statistics (/proc/net/dev, /sys/class/net)',
  defaultEnabled: true,
  create: (ctx) => new NetdevCollector(ctx),
};
