// Fleet alerts: end-of-life OS releases (on scraped hosts and in the asset inventory), inventory hosts
// that Prometheus does not scrape, and inventory exports that are no longer refreshed.
import type { MixinConfig } from '../config.js';
import { alert, seconds, sel, type RuleGroup } from './common.js';

/** A PromQL regex (inside a double-quoted string) matching the versions and their point releases. */
function versionsRegex(versions: string[]): string {
  const escaped = versions.map((v) => v.replace(/[.]/g, '\\\\.'));
  return `(${escaped.join('|')})(\\\\..*)?`;
}

/** `metric{selector, idLabel="os", versionLabel=~"..."} or ...` for every end-of-life entry. */
export function endOfLifeSelector(
  cfg: MixinConfig,
  metric: string,
  idLabel: string,
  versionLabel: string,
  extra = '',
  selector = cfg.selector,
): string {
  return cfg.fleet.endOfLife
    .map(
      (e) =>
        `${metric}{${[selector, extra, `${idLabel}="${e.os}"`, `${versionLabel}=~"${versionsRegex(e.versions)}"`].filter(Boolean).join(',')}}`,
    )
    .join(' or ');
}

export function fleetAlerts(cfg: MixinConfig): RuleGroup {
  const f = cfg.fleet;
  return {
    name: 'hostwatch-fleet.alerts',
    rules: [
      alert(
        cfg,
        'HostOSEndOfLife',
        f.hostEndOfLife,
        endOfLifeSelector(cfg, 'hostwatch_os_info', 'id', 'version_id'),
        'The host runs an end-of-life OS release.',
        '{{ $labels.instance }} runs {{ $labels.pretty_name }} ({{ $labels.id }} {{ $labels.version_id }}), past its end of life: it gets no security updates any more.',
      ),
      alert(
        cfg,
        'InventoryOSEndOfLife',
        f.inventoryEndOfLife,
        `sum by (job, instance, os, os_version) (${endOfLifeSelector(cfg, 'hostwatch_inventory_hosts', 'os', 'os_version', 'source="all"')}) > 0`,
        'Hosts of the asset inventory run an end-of-life OS release.',
        '{{ $value }} hosts of the asset inventory (imported by {{ $labels.instance }}) run {{ $labels.os }} {{ $labels.os_version }}, past its end of life.',
      ),
      alert(
        cfg,
        'InventoryHostsNotReporting',
        f.notReporting,
        `${sel(cfg, 'hostwatch_inventory_hosts_not_reporting', 'source="all"')} > ${f.notReporting.minimum}`,
        'Hosts of the asset inventory are not scraped.',
        '{{ $value }} hosts of the asset inventory (imported by {{ $labels.instance }}) match no host Prometheus scrapes: hostwatch is not installed there, or their target is down or missing from service discovery.',
      ),
      alert(
        cfg,
        'InventoryImportStale',
        f.importStale,
        `time() - ${sel(cfg, 'hostwatch_inventory_last_import_timestamp_seconds')} > ${seconds(f.importStale.after)}`,
        'An asset inventory export is not imported any more.',
        `The {{ $labels.source }} exports on {{ $labels.instance }} were last imported {{ $value | humanizeDuration }} ago (threshold ${f.importStale.after}): the export job stopped, or its files fail to parse.`,
      ),
    ],
  };
}

/** The condition of each fleet alert in words (docs/alerts.md). */
export function fleetAlertConditions(cfg: MixinConfig): Record<string, string> {
  const f = cfg.fleet;
  return {
    HostOSEndOfLife: 'a scraped host runs an OS release of the end-of-life list (`fleet.endOfLife` in mixin/config.ts)',
    InventoryOSEndOfLife: 'hosts of the asset inventory run an OS release of that list',
    InventoryHostsNotReporting: `more than ${f.notReporting.minimum} inventory hosts match no host Prometheus scrapes (needs \`inventory.reconcile\`)`,
    InventoryImportStale: `no successful import of a source's exports for ${f.importStale.after}`,
  };
}
