// The `firewall` log type in the config: port-scan detection and the blocked-ports bound, and an
// example entry.
import { z } from 'zod';
import { duration, posInt } from '../../config/fields.js';
import { logTypeConfig } from '../../config/log-entry.js';

export const firewallLog = logTypeConfig(
  'firewall',
  {
    portscan: z
      .strictObject({
        distinct_ports: posInt('Distinct destination ports from one source within the window that make a port scan', 15),
        window: duration('Sliding window for counting distinct ports per source', '60s'),
        max_sources: posInt('Hard cap of sources tracked at once (least recently seen are evicted)', 10_000),
      })
      .prefault({})
      .describe('Port-scan detection per source address (in the spirit of psad)'),
    top_ports: posInt('Destination ports exported in hostwatch_firewall_blocked_ports_total; the rest are port="__other__"', 20),
  },
  // UFW's own file where rsyslog writes it, else the kernel's messages in the journal.
  { name: 'firewall', path: '/var/log/ufw.log', journal: { match: ['_TRANSPORT=kernel'] } },
);

export type FirewallLogConfig = z.output<typeof firewallLog.schema>;
