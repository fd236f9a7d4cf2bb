// De-duplication and aggregates over the whole fixture directory (the default sources: Falcon JSON,
// Qualys XML pages and CSV files); expected numbers worked out by hand from the fixtures.
import { describe, expect, it } from 'vitest';
import { ageBuckets, staleHosts, type SourceView } from '../../src/inventory/aggregate.js';
import { inventorySchema } from '../../src/inventory/config.js';
import { importInventory, listInventoryFiles } from '../../src/inventory/import.js';
import { Merger } from '../../src/inventory/merge.js';
import { normaliseRecord, normaliseMac, normaliseName } from '../../src/inventory/record.js';
import { normaliseOs } from '../../src/inventory/os.js';
import { FIXTURES, t } from './helpers.js';

const NOW = t('2024-05-02T12:00:00Z');
const cfg = (extra: Record<string, unknown> = {}) => inventorySchema.parse({ enabled: true, directory: FIXTURES, ...extra });
const view = (views: SourceView[], source: string) => views.find((v) => v.source === source)!;
const osRows = (v: SourceView) => Object.fromEntries(v.os.map((r) => [`${r.os} ${r.version}`.trim(), r.hosts]));

describe('inventory import of the fixture directory', async () => {
  const config = cfg();
  const files = await listInventoryFiles(config);
  const result = await importInventory(config, files);
  const { views, counts } = result.view;

  it('finds the files of each source in config order', () => {
    expect(files.map((f) => [f.source, f.path.split('/').pop()])).toEqual([
      ['crowdstrike', 'crowdstrike-devices.json'],
      ['qualys', 'qualys-host-list-1.xml'],
      ['qualys', 'qualys-host-list-2.xml'],
      ['qualys', 'qualys-api.csv'],
      ['qualys', 'qualys-ui.csv'],
    ]);
  });

  it('merges 21 records into 17 hosts: two within a source (same id), two across sources (same name)', () => {
    expect(counts).toEqual({ records: 21, sameSource: 2, crossSource: 2, dropped: 0 });
    expect(views.map((v) => [v.source, v.hosts])).toEqual([
      ['crowdstrike', 7],
      ['qualys', 12],
      ['all', 17],
    ]);
  });

  it('counts hosts by OS per source, and for the fleet by the freshest source', () => {
    expect(osRows(view(views, 'crowdstrike'))).toEqual({
      'ubuntu 22.04': 1,
      'windows_server 2019': 1,
      'macos 14': 1,
      'rhel 9': 1,
      linux: 1,
      unknown: 1,
      'windows 10': 1,
    });
    expect(osRows(view(views, 'qualys'))).toEqual({
      'ubuntu 22.04': 1,
      'windows_server 2019': 1,
      linux: 1,
      'rhel 7': 1,
      unknown: 2,
      'centos 7': 1,
      'debian 9': 1,
      'debian 12': 1,
      'windows 10': 1,
      'ubuntu 20.04': 1,
      'windows_server 2012r2': 1,
    });
    expect(osRows(view(views, 'all'))).toEqual({
      'ubuntu 22.04': 1,
      'windows_server 2019': 1,
      'macos 14': 1,
      'rhel 9': 1,
      linux: 2,
      unknown: 3,
      'windows 10': 2,
      'rhel 7': 1,
      'centos 7': 1,
      'debian 9': 1,
      'debian 12': 1,
      'ubuntu 20.04': 1,
      'windows_server 2012r2': 1,
    });
  });

  it('buckets hosts by first seen (exclusive buckets) and counts stale hosts, those never seen included', () => {
    const buckets = (s: string) => Object.fromEntries(ageBuckets(view(views, s), NOW).map((b) => [b.bucket, b.hosts]));
    expect(buckets('all')).toEqual({ '<7d': 3, '<30d': 1, '<90d': 1, older: 8, unknown: 4 });
    expect(buckets('crowdstrike')).toEqual({ '<7d': 2, '<30d': 1, '<90d': 0, older: 4, unknown: 0 });
    expect(buckets('qualys')).toEqual({ '<7d': 2, '<30d': 0, '<90d': 1, older: 5, unknown: 4 });
    // app-old was last scanned 2024-04-01, but its renamed record (same ID, next page) on 2024-05-01.
    expect(staleHosts(view(views, 'all'), NOW, 30 * 86400)).toBe(4);
    expect(staleHosts(view(views, 'crowdstrike'), NOW, 30 * 86400)).toBe(1);
    expect(staleHosts(view(views, 'qualys'), NOW, 30 * 86400)).toBe(3);
    // A week later, the three new hosts have moved to <30d.
    expect(ageBuckets(view(views, 'all'), NOW + 7 * 86400).find((b) => b.bucket === '<7d')!.hosts).toBe(0);
  });

  it('caps the OS label pairs to the most frequent, the rest as __other__', async () => {
    const capped = await importInventory(cfg({ max_os_values: 3 }), files);
    expect(osRows(view(capped.view.views, 'all'))).toEqual({ unknown: 3, linux: 2, 'windows 10': 2, '__other__ __other__': 10 });
  });

  it('stops adding hosts at max_hosts and counts the rest as dropped', async () => {
    const small = await importInventory(cfg({ max_hosts: 5 }), files);
    expect(view(small.view.views, 'all').hosts).toBe(5);
    expect(small.view.counts.dropped).toBeGreaterThan(0);
  });

  it('reports the exports own warnings per source', () => {
    expect(result.sources.map((s) => [s.source, s.records, s.warnings.length])).toEqual([
      ['crowdstrike', 8, 1],
      ['qualys', 13, 2],
    ]);
  });
});

describe('merge rules', () => {
  const rec = (fields: Partial<Parameters<typeof normaliseRecord>[0]>) => normaliseRecord({ names: [], ips: [], macs: [], ...fields });

  it('an IP never merges two named hosts, but merges a named host with an address-only record', () => {
    const m = new Merger(['a', 'b'], 100);
    m.add(rec({ names: ['host-a'], ips: ['10.0.0.1'] }), 0);
    m.add(rec({ names: ['host-b'], ips: ['10.0.0.1'] }), 1); // DHCP reused the address
    m.add(rec({ ips: ['10.0.0.1'] }), 1); // address only: the first host that claimed it
    expect(m.result().count).toBe(2);
    expect(m.counts.crossSource).toBe(1);
  });

  it('same short name in two different domains stays two hosts; a name without domain joins either', () => {
    const m = new Merger(['a'], 100);
    m.add(rec({ names: ['web1.dc1.example.com'] }), 0);
    m.add(rec({ names: ['web1.dc2.example.com'] }), 0);
    m.add(rec({ names: ['WEB1'] }), 0);
    expect(m.result().count).toBe(2);
  });

  it('MACs merge renamed hosts; locally administered (random, container) MACs never do', () => {
    const m = new Merger(['a'], 100);
    m.add(rec({ names: ['old-name'], macs: ['00-50-56-00-00-01'] }), 0);
    m.add(rec({ names: ['new-name'], macs: ['0050.5600.0001'] }), 0);
    m.add(rec({ names: ['c1'], macs: ['02:42:ac:11:00:02'] }), 0);
    m.add(rec({ names: ['c2'], macs: ['02:42:ac:11:00:02'] }), 0);
    expect(m.result().count).toBe(3);
  });

  it('a vendor id only matches within its own source', () => {
    const m = new Merger(['a', 'b'], 100);
    m.add(rec({ vendorId: '42', names: ['x1'] }), 0);
    m.add(rec({ vendorId: '42', names: ['y1'] }), 1);
    m.add(rec({ vendorId: '42', names: ['x1-renamed'] }), 0);
    expect(m.result().count).toBe(2);
    expect(m.counts.sameSource).toBe(1);
  });
});

describe('normalisation', () => {
  it('MAC spellings', () => {
    for (const v of ['00-50-56-A1-B2-C3', '00:50:56:a1:b2:c3', '0050.56a1.b2c3', '005056A1B2C3'])
      expect(normaliseMac(v)).toBe('00:50:56:a1:b2:c3');
    for (const v of ['00:00:00:00:00:00', 'ff-ff-ff-ff-ff-ff', 'not a mac', '00:50:56']) expect(normaliseMac(v)).toBeUndefined();
  });

  it('names: lower-cased, split at the first dot; placeholders and addresses are not names', () => {
    expect(normaliseName('Web-01.Corp.Example.com.')).toEqual({ hostname: 'web-01', domain: 'corp.example.com' });
    for (const v of ['localhost', 'localhost.localdomain', '10.0.0.1', 'has space', '-', '']) expect(normaliseName(v)).toEqual({});
  });

  it.each([
    ['Ubuntu Linux 22.04.4 LTS', undefined, undefined, 'ubuntu', '22.04'],
    ['Ubuntu 18.04', undefined, 'Linux', 'ubuntu', '18.04'],
    ['Debian GNU/Linux 12', undefined, undefined, 'debian', '12'],
    ['Red Hat Enterprise Linux Server release 6.10 (Santiago)', undefined, undefined, 'rhel', '6'],
    ['RHEL 8.6', undefined, 'Linux', 'rhel', '8'],
    ['CentOS Linux 7.9.2009', undefined, undefined, 'centos', '7'],
    ['Rocky Linux 9.2', undefined, undefined, 'rocky', '9'],
    ['AlmaLinux 8.8', undefined, undefined, 'almalinux', '8'],
    ['Amazon Linux 2', undefined, 'Linux', 'amzn', '2'],
    ['Amazon Linux 2023', undefined, 'Linux', 'amzn', '2023'],
    ['Oracle Linux 8.7', undefined, undefined, 'ol', '8'],
    ['SUSE Linux Enterprise Server 15 SP4', undefined, undefined, 'sles', '15'],
    ['SLES 12', undefined, 'Linux', 'sles', '12'],
    ['Windows Server 2012 R2', 'Windows Server 2012 R2 Standard', 'Windows', 'windows_server', '2012r2'],
    ['Microsoft Windows Server 2008 R2 Enterprise Service Pack 1', undefined, undefined, 'windows_server', '2008r2'],
    ['Windows 2016/2019/10', undefined, undefined, 'windows_server', '2016'],
    ['Windows 11', 'Windows 11 Pro', 'Windows', 'windows', '11'],
    ['Windows 7 Professional 64 bit Edition Service Pack 1', undefined, undefined, 'windows', '7'],
    ['Catalina (10.15)', 'macOS', 'Mac', 'macos', '10.15'],
    ['Ventura (13)', 'macOS', 'Mac', 'macos', '13'],
    ['Mac OS X 10.14.6', undefined, undefined, 'macos', '10.14'],
    ['Linux 3.x', undefined, undefined, 'linux', ''],
    ['Cisco IOS 15.2(4)M', undefined, undefined, 'other', ''],
    [undefined, undefined, 'Windows', 'windows', ''],
    [undefined, undefined, undefined, 'unknown', ''],
  ])('%s / %s / %s → %s %s', (os, hint, platform, id, version) => {
    expect(normaliseOs(os, hint, platform)).toMatchObject({ id, version });
  });
});
