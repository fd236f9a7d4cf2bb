// The `inventory:` section of hostwatch.yml: asset inventory exports to import (off by default).
// Its own fragment of the schema; config/schema.ts only mounts it.
import { z } from 'zod';
import { duration, size } from '../config/fields.js';

export const INVENTORY_FORMATS = ['qualys_xml', 'qualys_csv', 'crowdstrike_json'] as const;

const sourceSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case identifier ([a-z][a-z0-9_]*), it becomes the source label')
    .refine((n) => n !== 'all', { message: '"all" is the label of the de-duplicated fleet: choose another name' })
    .describe('Name of the source, used as the `source` label; entries may share a name (Qualys XML and CSV are one source)'),
  format: z
    .enum(INVENTORY_FORMATS)
    .describe(
      'qualys_xml (host list API v2 XML), qualys_csv (API output_format=CSV or the UI download), crowdstrike_json (Falcon devices/entities/devices/v2 responses)',
    ),
  files: z
    .string()
    .regex(/^[^/]+$/, 'a file name or glob inside `directory` (no "/")')
    .describe('File name or glob, e.g. "qualys-*.xml", inside `directory`'),
});

export const DEFAULT_SOURCES = [
  { name: 'crowdstrike', format: 'crowdstrike_json', files: 'crowdstrike*.json' },
  { name: 'qualys', format: 'qualys_xml', files: 'qualys*.xml' },
  { name: 'qualys', format: 'qualys_csv', files: 'qualys*.csv' },
] as const;

export const inventorySchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Import asset inventory exports and expose fleet aggregates (never one series per host)'),
    directory: z
      .string()
      .default('/var/lib/hostwatch/inventory')
      .describe('Directory the exports are written to (by a cron job or the vendor sync)'),
    sources: z
      .array(sourceSchema)
      .min(1)
      .max(16)
      .default(DEFAULT_SOURCES.map((s) => ({ ...s })))
      .superRefine((sources, ctx) => {
        const names = new Set(sources.map((s) => s.name));
        if (names.size > 8) ctx.addIssue({ code: 'custom', message: `at most 8 distinct source names (got ${names.size})` });
      })
      .describe('Which files hold which export; list the most trusted source first (it wins OS ties between sources)'),
    check_interval: duration('How often the directory is checked for changed files (they are re-imported in the background)', '1m'),
    stale_after: duration(
      'A host whose last seen (last scan, last check-in) is older is counted in hostwatch_inventory_hosts_stale',
      '30d',
    ),
    max_os_values: z
      .number()
      .int()
      .positive()
      .max(500)
      .default(50)
      .describe('Distinct (os, os_version) label pairs exported; the least frequent are counted as "__other__"'),
    max_hosts: z
      .number()
      .int()
      .positive()
      .default(2_000_000)
      .describe(
        'Hosts kept per import (memory stays bounded: about 40 bytes per host after the import, 100 while importing); more are counted as dropped',
      ),
    max_record_bytes: size(
      'Longest host record accepted; a longer one fails the file (it is not an export of the configured format)',
      '1MiB',
    ),
    reconcile: z
      .strictObject({
        prometheus_url: z
          .string()
          .default('')
          .refine((u) => u === '' || /^https?:\/\/[^\s]+$/.test(u), { message: 'must be an http(s) URL, e.g. http://prometheus:9090' })
          .describe('Prometheus to ask which hosts report metrics (empty: no comparison, no hostwatch_inventory_hosts_not_reporting)'),
        query: z
          .string()
          .default('up{job="hostwatch"} == 1')
          .describe('Instant query whose series are the hosts that report; their `label` holds the host name or address'),
        label: z
          .string()
          .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name')
          .default('instance')
          .describe('Label holding the host (a port is stripped)'),
        interval: duration('How often Prometheus is asked', '5m'),
        timeout: duration('Time the query may take', '30s'),
      })
      .prefault({})
      .describe('Comparison of the inventory with the hosts Prometheus scrapes (joined on the short host name, or the IP address)'),
  })
  .prefault({})
  .describe('Asset inventory import: Qualys and CrowdStrike Falcon exports');

export type InventoryConfig = z.output<typeof inventorySchema>;
export type InventorySourceConfig = InventoryConfig['sources'][number];
