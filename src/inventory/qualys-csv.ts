// Qualys host lists as CSV: the API's output_format=CSV (----BEGIN_RESPONSE_BODY_CSV ... with the XML
// element names as columns: "ID","IP","TRACKING_METHOD","DNS","NETBIOS","OS","LAST_VULN_SCAN_DATETIME",...)
// and the UI's Host Assets download (a few title lines, then "IP","DNS","NetBIOS","Tracking","OS",...).
// Columns are found by name in the first row that names an address or id column and a name or OS column;
// rows before it (titles, the API's response header) and marker lines are skipped. Streamed by csv-parse,
// whose max_record_size bounds the memory of one row.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { hasKey, normaliseRecord } from './record.js';
import { InventoryParseError, newStats, warn, type ParseLimits, type ParseStats, type RecordSink } from './parse-common.js';

type Field = 'id' | 'ip' | 'ipv6' | 'dns' | 'hostname' | 'domain' | 'fqdn' | 'netbios' | 'os' | 'mac' | 'first' | 'last' | 'agent';

// Column names, lower-cased with everything but letters and digits removed.
const ALIASES: Record<string, Field> = {
  id: 'id',
  hostid: 'id',
  qualyshostid: 'id',
  ip: 'ip',
  ipaddress: 'ip',
  ipv4: 'ip',
  ipv4address: 'ip',
  ipv6: 'ipv6',
  ipv6address: 'ipv6',
  dns: 'dns',
  dnsname: 'dns',
  dnshostname: 'dns',
  hostname: 'hostname',
  dnsdatahostname: 'hostname',
  domain: 'domain',
  dnsdatadomain: 'domain',
  fqdn: 'fqdn',
  dnsdatafqdn: 'fqdn',
  netbios: 'netbios',
  netbiosname: 'netbios',
  os: 'os',
  operatingsystem: 'os',
  mac: 'mac',
  macaddress: 'mac',
  firstfounddate: 'first',
  firstfound: 'first',
  firstdiscovered: 'first',
  created: 'first',
  lastactivity: 'last',
  lastactivitydate: 'last',
  lastvulnscandatetime: 'last',
  lastvulnscan: 'last',
  lastvulnerabilityscan: 'last',
  lastscandate: 'last',
  lastscanned: 'last',
  lastvmscanneddate: 'last',
  lastvmauthscanneddate: 'last',
  lastcompliancescandatetime: 'last',
  lastcompliancescan: 'last',
  lastscapscandatetime: 'last',
  lastauthenticatedscan: 'last',
  agentversion: 'agent',
  cloudagentversion: 'agent',
};

function columnMap(row: string[]): Map<Field, number[]> | undefined {
  const map = new Map<Field, number[]>();
  row.forEach((name, i) => {
    const f = ALIASES[name.toLowerCase().replace(/[^a-z0-9]/g, '')];
    if (f) map.set(f, [...(map.get(f) ?? []), i]);
  });
  const hasKey = map.has('ip') || map.has('id');
  const hasName = map.has('dns') || map.has('fqdn') || map.has('hostname') || map.has('netbios') || map.has('os');
  return hasKey && hasName ? map : undefined;
}

/** "04/30/2024 10:00:00" and "04/30/2024 at 10:00:00 (GMT+0000)" (the UI's US dates, UTC) to ISO. */
function usDate(v: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})(?:\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(v.trim());
  if (!m) return v;
  return `${m[3]}-${m[1]}-${m[2]}T${(m[4] ?? '0').padStart(2, '0')}:${m[5] ?? '00'}:${m[6] ?? '00'}Z`;
}

/**
 * Reads lines until the header row, and yields the text from the header row on. csv-parse takes the
 * first row's length as the expected one and, with relax_column_count, builds an error object (with a
 * stack trace) for every row of another length: started at a one-field title line, that is every row.
 */
async function* fromHeader(input: AsyncIterable<string>, maxChars: number): AsyncGenerator<string> {
  const it = input[Symbol.asyncIterator]();
  let buffered = '';
  let start = 0;
  for (;;) {
    const nl = buffered.indexOf('\n', start);
    if (nl < 0) {
      if (buffered.length > maxChars)
        throw new InventoryParseError(`no header row naming IP/ID and DNS/NetBIOS/OS columns in the first ${maxChars} characters`);
      const next = await it.next();
      if (next.done) break;
      buffered += next.value;
      continue;
    }
    const line = buffered.slice(start, nl).replace(/^\ufeff/, '');
    if (!line.startsWith('----') && columnMap(parseSync(line, { relax_quotes: true, relax_column_count: true })[0] ?? [])) break;
    start = nl + 1;
  }
  yield buffered.slice(start).replace(/^\ufeff/, '');
  for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
}

export async function parseQualysCsv(input: AsyncIterable<string>, sink: RecordSink, limits: ParseLimits): Promise<ParseStats> {
  const stats = newStats();
  const rows = Readable.from(fromHeader(input, limits.maxRecordChars)).pipe(
    parse({ relax_column_count: true, relax_quotes: true, skip_empty_lines: true, max_record_size: limits.maxRecordChars }),
  );
  let columns: Map<Field, number[]> | undefined;
  let footer: string[] | undefined;
  const get = (row: string[], f: Field): string[] => (columns!.get(f) ?? []).map((i) => row[i] ?? '');
  const one = (row: string[], f: Field): string | undefined => get(row, f)[0];
  try {
    for await (const row of rows as AsyncIterable<string[]>) {
      const first = row[0] ?? '';
      if (row.length === 1 && first.startsWith('----')) {
        // The API's footer says when the list was cut at truncation_limit (and where the next page is).
        if (first.startsWith('----END_RESPONSE_FOOTER') && footer) warn(stats, `Qualys footer: ${footer.join(' ')}`);
        footer = first.startsWith('----BEGIN_RESPONSE_FOOTER') ? [] : undefined;
        continue;
      }
      if (footer) {
        if (footer.length < 20) footer.push(row.join(' '));
        continue;
      }
      if (!columns) {
        columns = columnMap(row);
        continue;
      }
      const dns = one(row, 'fqdn') ?? one(row, 'dns');
      const hostname = one(row, 'hostname');
      const domain = one(row, 'domain');
      const r = normaliseRecord({
        vendorId: one(row, 'id'),
        names: [dns, hostname && domain ? `${hostname}.${domain}` : hostname, one(row, 'netbios')],
        // A cell may hold several addresses ("10.0.0.5, 10.0.1.5").
        ips: [...get(row, 'ip'), ...get(row, 'ipv6')].flatMap((v) => v.split(/[\s,;]+/)),
        macs: get(row, 'mac').flatMap((v) => v.split(/[\s,;]+/)),
        os: one(row, 'os'),
        firstSeen: get(row, 'first').map(usDate),
        lastSeen: get(row, 'last').map(usDate),
        agentVersion: one(row, 'agent'),
      });
      if (!hasKey(r)) {
        stats.unparsed++;
        continue;
      }
      stats.records++;
      sink(r);
    }
  } catch (err) {
    if (err instanceof InventoryParseError) throw err;
    throw new InventoryParseError(`CSV: ${(err as Error).message}`);
  }
  if (!columns) throw new InventoryParseError('no header row naming IP/ID and DNS/NetBIOS/OS columns: not a Qualys host list CSV');
  return stats;
}
