// The dashboards written to grafana/dashboards/<uid>.json.
import type { MixinConfig } from '../config.js';
import { hostDashboard } from './host.js';
import { webDashboard } from './web.js';
import { securityDashboard } from './security.js';
import { fleetDashboard } from './fleet.js';
import { exporterDashboard } from './exporter.js';

export function dashboards(cfg: MixinConfig) {
  return [hostDashboard(cfg), webDashboard(cfg), securityDashboard(cfg), fleetDashboard(cfg), exporterDashboard(cfg)];
}
