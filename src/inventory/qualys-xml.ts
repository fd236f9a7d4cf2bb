// Qualys host list API v2 (/api/2.0/fo/asset/host/?action=list) XML, streamed with saxes:
//   HOST_LIST_OUTPUT/RESPONSE/HOST_LIST/HOST/{ID, IP, IPV6, TRACKING_METHOD, DNS, DNS_DATA/{HOSTNAME,
//   DOMAIN, FQDN}, NETBIOS, OS, FIRST_FOUND_DATE, LAST_ACTIVITY, LAST_VULN_SCAN_DATETIME, ...}
// and RESPONSE/WARNING (the list was cut at truncation_limit: the next page's URL follows). saxes
// never fetches the DTD named in the DOCTYPE and defines no entities from it.
import { SaxesParser } from 'saxes';
import { hasKey, MAX_FIELD_CHARS, normaliseRecord, type RawFields } from './record.js';
import { InventoryParseError, RecordGuard, newStats, warn, type ParseLimits, type ParseStats, type RecordSink } from './parse-common.js';

// The dates of a host's last activity and scans: the latest of them is its last_seen.
const LAST_SEEN = [
  'LAST_ACTIVITY',
  'LAST_ACTIVITY_DATE',
  'LAST_VULN_SCAN_DATETIME',
  'LAST_VM_SCANNED_DATE',
  'LAST_VM_AUTH_SCANNED_DATE',
  'LAST_COMPLIANCE_SCAN_DATETIME',
  'LAST_SCAP_SCAN_DATETIME',
];
// Children of HOST (depth 5) and of DNS_DATA / AGENT_INFO (depth 6) that are read; everything else is skipped.
const HOST_FIELDS = new Set(['ID', 'IP', 'IPV6', 'DNS', 'NETBIOS', 'OS', 'TRACKING_METHOD', 'FIRST_FOUND_DATE', ...LAST_SEEN, 'LAST_BOOT']);
const NESTED_FIELDS: Record<string, Set<string>> = {
  DNS_DATA: new Set(['HOSTNAME', 'DOMAIN', 'FQDN']),
  AGENT_INFO: new Set(['AGENT_VERSION']),
};

function toRawFields(f: Map<string, string>): RawFields {
  const dnsFqdn = f.get('DNS_DATA/FQDN') ?? f.get('DNS');
  const hostname = f.get('DNS_DATA/HOSTNAME');
  const domain = f.get('DNS_DATA/DOMAIN');
  return {
    vendorId: f.get('ID'),
    // The FQDN first (it carries the domain), then the DNS short name, then the NetBIOS name.
    names: [dnsFqdn, hostname && domain ? `${hostname}.${domain}` : hostname, f.get('NETBIOS')],
    ips: [...(f.get('IP') ?? '').split(/[\s,;]+/), ...(f.get('IPV6') ?? '').split(/[\s,;]+/)],
    macs: [],
    os: f.get('OS'),
    firstSeen: [f.get('FIRST_FOUND_DATE') ?? ''],
    lastSeen: LAST_SEEN.map((k) => f.get(k) ?? ''),
    agentVersion: f.get('AGENT_INFO/AGENT_VERSION'),
  };
}

export async function parseQualysXml(input: AsyncIterable<string>, sink: RecordSink, limits: ParseLimits): Promise<ParseStats> {
  const stats = newStats();
  const guard = new RecordGuard(limits);
  const parser = new SaxesParser({ position: false });
  const path: string[] = [];
  let fields: Map<string, string> | undefined;
  let field: string | undefined;
  let text = '';
  let inWarning = false;
  let warning = '';

  const onText = (t: string) => {
    if (field !== undefined && text.length <= MAX_FIELD_CHARS) text += t;
    else if (inWarning && warning.length < 300) warning += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('opentag', (tag: { name: string }) => {
    path.push(tag.name);
    const depth = path.length;
    if (depth === 1 && tag.name !== 'HOST_LIST_OUTPUT') {
      throw new InventoryParseError(`root element is ${tag.name}, not HOST_LIST_OUTPUT (a Qualys error response?)`);
    }
    if (depth === 4 && tag.name === 'HOST' && path[2] === 'HOST_LIST') {
      fields = new Map();
    } else if (fields && depth === 5 && HOST_FIELDS.has(tag.name)) {
      field = tag.name;
    } else if (fields && depth === 6 && NESTED_FIELDS[path[4]]?.has(tag.name)) {
      field = `${path[4]}/${tag.name}`;
    } else if (depth === 3 && tag.name === 'WARNING') {
      inWarning = true;
    }
    text = '';
  });
  parser.on('closetag', (tag: { name: string }) => {
    const depth = path.length;
    path.pop();
    if (field !== undefined && fields) {
      fields.set(field, text);
      field = undefined;
    } else if (depth === 4 && fields && tag.name === 'HOST') {
      guard.boundary();
      const raw = toRawFields(fields);
      fields = undefined;
      const r = normaliseRecord(raw);
      if (!hasKey(r)) stats.unparsed++;
      else {
        stats.records++;
        sink(r);
      }
    } else if (depth === 3 && tag.name === 'WARNING') {
      inWarning = false;
      warn(stats, `Qualys warning: ${warning.replace(/\s+/g, ' ').trim()}`);
      warning = '';
    }
  });

  for await (const chunk of input) {
    parser.write(chunk);
    guard.fed(chunk.length);
  }
  // Throws on a truncated document (an export still being written): the import is retried later.
  parser.close();
  return stats;
}
