// The three streaming parsers on vendor-shaped fixtures: expected records written from the fixtures by
// hand, the same whatever the chunk boundaries, and a clear error (never a partial result) on input
// that is not an export of the configured format.
import { describe, expect, it } from 'vitest';
import { parseCrowdStrikeJson } from '../../src/inventory/crowdstrike-json.js';
import { parseQualysCsv } from '../../src/inventory/qualys-csv.js';
import { parseQualysXml } from '../../src/inventory/qualys-xml.js';
import { InventoryParseError } from '../../src/inventory/parse-common.js';
import { parseFixture, parseText, t } from './helpers.js';

const corp = 'corp.example.com';

describe('Qualys host list XML', () => {
  const page1 = [
    {
      vendorId: '1194021',
      hostname: 'web-01',
      domain: corp,
      ips: ['10.20.1.11'],
      macs: [],
      os: 'ubuntu',
      osVersion: '22.04',
      platform: 'linux',
      firstSeen: t('2023-01-15T10:00:00Z'),
      lastSeen: t('2024-05-01T22:10:05Z'),
      agentVersion: '6.1.0.28',
    },
    {
      vendorId: '1194022',
      hostname: 'dc-01',
      domain: corp,
      ips: ['10.20.1.5'],
      macs: [],
      os: 'windows_server',
      osVersion: '2019',
      platform: 'windows',
      firstSeen: t('2024-04-28T09:00:00Z'),
      lastSeen: t('2024-05-01T03:04:00Z'),
    },
    // Tracked by IP: no DNS, a network fingerprint instead of an OS release, never found date absent.
    {
      vendorId: '1194023',
      ips: ['10.20.9.77'],
      macs: [],
      os: 'linux',
      osVersion: '',
      platform: 'linux',
      firstSeen: NaN,
      lastSeen: t('2024-01-10T02:00:00Z'),
    },
    {
      vendorId: '1194024',
      hostname: 'db-01',
      domain: corp,
      ips: ['10.20.1.30', 'fd00:20::30'],
      macs: [],
      os: 'rhel',
      osVersion: '7',
      platform: 'linux',
      firstSeen: t('2022-06-01T00:00:00Z'),
      lastSeen: t('2024-04-29T17:45:00Z'),
    },
    {
      vendorId: '1194025',
      hostname: 'legacy-app',
      domain: corp,
      ips: ['10.20.3.3'],
      macs: [],
      os: 'unknown',
      osVersion: '',
      platform: 'unknown',
      firstSeen: t('2024-02-20T00:00:00Z'),
      lastSeen: t('2024-03-01T02:00:00Z'),
    },
    {
      vendorId: '1194026',
      hostname: 'app-old',
      domain: corp,
      ips: ['10.20.1.40'],
      macs: [],
      os: 'centos',
      osVersion: '7',
      platform: 'linux',
      firstSeen: t('2021-03-01T00:00:00Z'),
      lastSeen: t('2024-04-01T02:00:00Z'),
    },
  ];

  it.each([1, 7, 4096])('reads every HOST and the truncation warning (chunks of %i characters)', async (size) => {
    const { records, stats } = await parseFixture(parseQualysXml, 'qualys-host-list-1.xml', size);
    expect(records).toEqual(page1);
    expect(stats).toEqual({
      records: 6,
      unparsed: 0,
      warnings: [
        'Qualys warning: 1980 6 record limit exceeded. Use URL to get next batch of results. https://qualysapi.qualys.com/api/2.0/fo/asset/host/?action=list&truncation_limit=6&id_min=1194027',
      ],
    });
  });

  it('the next page: a renamed host keeps its ID; DNS_DATA gives the short name and domain', async () => {
    const { records } = await parseFixture(parseQualysXml, 'qualys-host-list-2.xml');
    expect(records.map((r) => [r.vendorId, r.hostname, r.domain, r.os, r.osVersion])).toEqual([
      ['1194026', 'app-07', corp, 'centos', '7'],
      ['1194027', 'cache-01', corp, 'debian', '9'],
    ]);
  });

  it('rejects a Qualys error response, a truncated document and an oversized record', async () => {
    const error =
      '<?xml version="1.0" encoding="UTF-8" ?>\n<SIMPLE_RETURN><RESPONSE><DATETIME>2024-05-02T08:00:00Z</DATETIME><CODE>1960</CODE><TEXT>This API cannot be run again for another 12 minutes</TEXT></RESPONSE></SIMPLE_RETURN>';
    await expect(parseText(parseQualysXml, error)).rejects.toThrow(/root element is SIMPLE_RETURN, not HOST_LIST_OUTPUT/);
    const truncated = '<HOST_LIST_OUTPUT><RESPONSE><HOST_LIST><HOST><ID>1</ID><IP>10.0.0.1</IP></HOST><HOST><ID>2</ID>';
    await expect(parseText(parseQualysXml, truncated)).rejects.toThrow();
    const huge = `<HOST_LIST_OUTPUT><RESPONSE><HOST_LIST><HOST><ID>1</ID><COMMENTS>${'x'.repeat(5000)}</COMMENTS></HOST></HOST_LIST></RESPONSE></HOST_LIST_OUTPUT>`;
    await expect(parseText(parseQualysXml, huge, 100, { maxRecordChars: 1000 })).rejects.toThrow(InventoryParseError);
  });

  it('counts a HOST without any usable key as unparsed and never expands entities from the DOCTYPE', async () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE HOST_LIST_OUTPUT [<!ENTITY boom "boomboomboomboom">]>
<HOST_LIST_OUTPUT><RESPONSE><HOST_LIST><HOST><OS>Windows 10</OS></HOST></HOST_LIST></RESPONSE></HOST_LIST_OUTPUT>`;
    const { records, stats } = await parseText(parseQualysXml, xml);
    expect(records).toEqual([]);
    expect(stats.unparsed).toBe(1);
    const bomb =
      '<!DOCTYPE HOST_LIST_OUTPUT [<!ENTITY a "aaaaaaaaaa">]><HOST_LIST_OUTPUT><RESPONSE><HOST_LIST><HOST><ID>&a;</ID></HOST></HOST_LIST></RESPONSE></HOST_LIST_OUTPUT>';
    await expect(parseText(parseQualysXml, bomb)).rejects.toThrow();
  });
});

describe('Qualys CSV', () => {
  it('the API CSV: skips the response header, reads the body, reports the footer warning; several IPs in one cell', async () => {
    const { records, stats } = await parseFixture(parseQualysCsv, 'qualys-api.csv', 13);
    expect(records).toEqual([
      {
        vendorId: '2201001',
        hostname: 'mail-01',
        domain: 'branch.example.org',
        ips: ['10.40.0.10'],
        macs: [],
        os: 'debian',
        osVersion: '12',
        platform: 'linux',
        firstSeen: t('2023-11-01T00:00:00Z'),
        lastSeen: t('2024-05-01T09:00:00Z'),
      },
      {
        vendorId: '2201002',
        ips: ['10.40.0.11', '10.40.1.11'],
        macs: [],
        os: 'windows',
        osVersion: '10',
        platform: 'windows',
        firstSeen: NaN,
        lastSeen: t('2024-04-20T04:00:00Z'),
      },
      {
        vendorId: '2201003',
        hostname: 'web-01',
        domain: 'branch.example.org',
        ips: ['10.40.0.12'],
        macs: [],
        os: 'ubuntu',
        osVersion: '20.04',
        platform: 'linux',
        firstSeen: t('2024-04-30T12:00:00Z'),
        lastSeen: t('2024-05-01T04:00:00Z'),
      },
    ]);
    expect(stats.warnings).toEqual([
      'Qualys footer: WARNING CODE TEXT URL 1980 3 record limit exceeded. Use URL to get next batch of results. https://qualysapi.qualys.com/api/2.0/fo/asset/host/?action=list&output_format=CSV&truncation_limit=3&id_min=2201004',
    ]);
  });

  it('the UI download: title lines before the header, US dates in UTC, a host with only an IP', async () => {
    const { records } = await parseFixture(parseQualysCsv, 'qualys-ui.csv', 5);
    expect(records).toEqual([
      {
        vendorId: '3300101',
        hostname: 'fs-01',
        domain: 'hq.example.net',
        ips: ['10.50.0.20'],
        macs: [],
        os: 'windows_server',
        osVersion: '2012r2',
        platform: 'windows',
        firstSeen: NaN,
        lastSeen: t('2024-04-28T23:10:00Z'),
      },
      {
        vendorId: '3300102',
        ips: ['10.50.0.21'],
        macs: [],
        os: 'unknown',
        osVersion: '',
        platform: 'unknown',
        firstSeen: NaN,
        lastSeen: NaN,
      },
    ]);
  });

  it('rejects a file without a host list header, and a row longer than the limit', async () => {
    await expect(parseText(parseQualysCsv, 'a,b,c\n1,2,3\n')).rejects.toThrow(/no header row/);
    const long = `"IP","DNS"\n"10.0.0.1","${'a'.repeat(3000)}"\n`;
    await expect(parseText(parseQualysCsv, long, 100, { maxRecordChars: 1000 })).rejects.toThrow(InventoryParseError);
  });
});

describe('CrowdStrike Falcon devices JSON', () => {
  it.each([1, 9, 65536])('reads the resources of concatenated responses and their errors (chunks of %i)', async (size) => {
    const { records, stats } = await parseFixture(parseCrowdStrikeJson, 'crowdstrike-devices.json', size);
    expect(records).toEqual([
      {
        vendorId: '4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e01',
        hostname: 'web-01',
        ips: ['10.20.1.11'],
        macs: ['00:50:56:a1:00:11'],
        os: 'ubuntu',
        osVersion: '22.04',
        platform: 'linux',
        firstSeen: t('2023-01-16T08:00:00Z'),
        lastSeen: t('2024-05-02T11:00:00Z'),
        agentVersion: '7.11.16405.0',
      },
      // The host name as Falcon writes it (upper case), compared lower-cased.
      {
        vendorId: '4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e02',
        hostname: 'dc-01',
        ips: ['10.20.1.5'],
        macs: ['00:50:56:a1:00:05'],
        os: 'windows_server',
        osVersion: '2019',
        platform: 'windows',
        firstSeen: t('2024-04-28T09:30:00Z'),
        lastSeen: t('2024-05-02T10:00:00Z'),
        agentVersion: '7.10.17706.0',
      },
      {
        vendorId: '4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e03',
        hostname: 'mbp-jdoe',
        ips: ['192.168.1.23'],
        macs: ['3c:22:fb:12:34:56'],
        os: 'macos',
        osVersion: '14',
        platform: 'macos',
        firstSeen: t('2024-04-30T15:00:00Z'),
        lastSeen: t('2024-05-02T09:12:44Z'),
        agentVersion: '7.12.17808.0',
      },
      // Two internal addresses and two MACs; external_ip (the NAT address) is not kept.
      {
        vendorId: '4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e04',
        hostname: 'build-03',
        ips: ['10.20.5.3', '10.30.5.3'],
        macs: ['00:50:56:a1:00:33', '00:50:56:a1:01:33'],
        os: 'rhel',
        osVersion: '9',
        platform: 'linux',
        firstSeen: t('2023-09-01T00:00:00Z'),
        lastSeen: t('2024-04-20T00:00:00Z'),
        agentVersion: '7.11.16405.0',
      },
      // Only a MAC (and the platform).
      {
        vendorId: '4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e05',
        ips: [],
        macs: ['00:1b:21:aa:bb:cc'],
        os: 'linux',
        osVersion: '',
        platform: 'linux',
        firstSeen: t('2024-04-10T00:00:00Z'),
        lastSeen: t('2024-05-01T00:00:00Z'),
      },
      // No OS at all (os_version null, no platform).
      {
        vendorId: '4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e06',
        hostname: 'kiosk-12',
        ips: ['10.20.7.12'],
        macs: [],
        os: 'unknown',
        osVersion: '',
        platform: 'unknown',
        firstSeen: t('2023-12-01T00:00:00Z'),
        lastSeen: t('2024-02-01T00:00:00Z'),
        agentVersion: '7.04.15003.0',
      },
      // The second response: build-03 renamed build-3, same device_id.
      {
        vendorId: '4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e04',
        hostname: 'build-3',
        ips: ['10.20.5.3'],
        macs: ['00:50:56:a1:00:33'],
        os: 'rhel',
        osVersion: '9',
        platform: 'linux',
        firstSeen: t('2023-09-01T00:00:00Z'),
        lastSeen: t('2024-05-02T06:00:00Z'),
        agentVersion: '7.12.17808.0',
      },
      {
        vendorId: '4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e07',
        hostname: 'win10-hr-07',
        ips: ['10.60.0.77'],
        macs: ['00:50:56:a1:00:77'],
        os: 'windows',
        osVersion: '10',
        platform: 'windows',
        firstSeen: t('2022-02-02T00:00:00Z'),
        lastSeen: t('2024-05-02T07:00:00Z'),
        agentVersion: '6.58.16303.0',
      },
    ]);
    expect(stats.warnings).toEqual(['Falcon API error 404: Device 4f3c6f2d1a2b4c5d8e9f0a1b2c3d4e99 not found']);
  });

  it('a bare array of resources, and a BOM', async () => {
    const { records } = await parseText(
      parseCrowdStrikeJson,
      '\ufeff[{"device_id":"a1","hostname":"h1","os_version":"Debian 11"},{"device_id":"a2","local_ip":"10.1.1.1"}]',
    );
    expect(records.map((r) => [r.vendorId, r.hostname, r.os, r.osVersion, r.ips])).toEqual([
      ['a1', 'h1', 'debian', '11', []],
      ['a2', undefined, 'unknown', '', ['10.1.1.1']],
    ]);
  });

  it('rejects truncated JSON, non-JSON and an oversized resource', async () => {
    await expect(parseText(parseCrowdStrikeJson, '{"resources":[{"device_id":"a1","hostname":"h1"},{"device_id"')).rejects.toThrow(
      InventoryParseError,
    );
    await expect(parseText(parseCrowdStrikeJson, '{"resources":[{"device_id":"a1","hostname":"h1"}')).rejects.toThrow(InventoryParseError);
    await expect(parseText(parseCrowdStrikeJson, '<html>502 Bad Gateway</html>')).rejects.toThrow(InventoryParseError);
    await expect(parseText(parseCrowdStrikeJson, '')).rejects.toThrow(/no JSON document/);
    const huge = `{"resources":[{"device_id":"a1","notes":"${'x'.repeat(5000)}"}]}`;
    await expect(parseText(parseCrowdStrikeJson, huge, 100, { maxRecordChars: 1000 })).rejects.toThrow(/longer than 1000/);
  });
});
