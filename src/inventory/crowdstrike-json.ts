// CrowdStrike Falcon device details as GET /devices/entities/devices/v2 returns them:
//   {"meta": {...}, "resources": [{"device_id", "hostname", "local_ip", "connection_ip", "external_ip",
//    "mac_address", "connection_mac_address", "os_version", "os_product_name", "platform_name",
//    "first_seen", "last_seen", "agent_version", ...}], "errors": [{"code", "message"}]}
// also several such responses one after another (pages saved to one file), or a bare array of resources.
// Read token by token (stream-json's tokenizer, called directly: no stream per token) and only the wanted
// scalar fields of a resource are kept; nested objects (policies, meta, tags) are skipped.
// external_ip is never a key: it is the NAT address shared by every host behind it.
import { jsonParser } from 'stream-json/core/parser.js';
import { hasKey, MAX_FIELD_CHARS, normaliseRecord } from './record.js';
import { InventoryParseError, RecordGuard, newStats, warn, type ParseLimits, type ParseStats, type RecordSink } from './parse-common.js';

const FIELDS = new Set([
  'device_id',
  'hostname',
  'local_ip',
  'connection_ip',
  'mac_address',
  'connection_mac_address',
  'os_version',
  'os_product_name',
  'platform_name',
  'first_seen',
  'last_seen',
  'agent_version',
]);
const NONE = Symbol.for('object-stream.none');

interface Token {
  name: string;
  value?: unknown;
}

/** Where a container sits: `key` is the key it is the value of (objects' members), '' in arrays. */
interface Frame {
  array: boolean;
  key: string;
}

export async function parseCrowdStrikeJson(input: AsyncIterable<string>, sink: RecordSink, limits: ParseLimits): Promise<ParseStats> {
  const stats = newStats();
  const guard = new RecordGuard(limits);
  const tokenize = jsonParser({ packValues: true, streamValues: false, jsonStreaming: true }) as unknown as (chunk: unknown) => unknown;
  const stack: Frame[] = [];
  let key = '';
  let record: Map<string, string> | undefined;
  let recordDepth = -1;
  let error: Map<string, string> | undefined;
  let documents = 0;

  const emit = () => {
    const f = record!;
    record = undefined;
    guard.boundary();
    const r = normaliseRecord({
      vendorId: f.get('device_id'),
      names: [f.get('hostname')],
      ips: [f.get('local_ip'), f.get('connection_ip')],
      macs: [f.get('mac_address'), f.get('connection_mac_address')],
      os: f.get('os_version'),
      osHint: f.get('os_product_name'),
      platform: f.get('platform_name'),
      firstSeen: [f.get('first_seen') ?? ''],
      lastSeen: [f.get('last_seen') ?? ''],
      agentVersion: f.get('agent_version'),
    });
    if (!hasKey(r)) stats.unparsed++;
    else {
      stats.records++;
      sink(r);
    }
  };

  /** A container opening: is it a resource (an object in the top-level array or in "resources")? */
  const open = (array: boolean) => {
    const parent = stack[stack.length - 1];
    const isResource = !array && parent?.array === true && (stack.length === 1 || (stack.length === 2 && parent.key === 'resources'));
    const isError = !array && parent?.array === true && stack.length === 2 && parent.key === 'errors';
    stack.push({ array, key: parent && !parent.array ? key : '' });
    if (stack.length === 1) documents++;
    if (isResource) {
      record = new Map();
      recordDepth = stack.length;
    } else if (isError) {
      error = new Map();
    }
  };
  const close = () => {
    const depth = stack.length;
    stack.pop();
    if (record && depth === recordDepth) emit();
    else if (error && depth === 3) {
      warn(stats, `Falcon API error ${error.get('code') ?? ''}: ${error.get('message') ?? ''}`);
      error = undefined;
    }
  };
  const scalar = (value: string) => {
    const depth = stack.length;
    if (record && depth === recordDepth && FIELDS.has(key) && value.length <= MAX_FIELD_CHARS) record.set(key, value);
    else if (error && depth === 3) error.set(key, value.slice(0, 200));
  };

  const handle = (tokens: unknown) => {
    if (tokens === NONE) return;
    for (const t of (tokens as { values: Token[] }).values) {
      switch (t.name) {
        case 'startObject':
          open(false);
          break;
        case 'startArray':
          open(true);
          break;
        case 'endObject':
        case 'endArray':
          close();
          break;
        case 'keyValue':
          key = t.value as string;
          break;
        case 'stringValue':
        case 'numberValue':
          scalar(t.value as string);
          break;
        default:
          // true/false/null: no wanted field is a boolean; a null leaves the field absent.
          break;
      }
    }
  };

  let firstChunk = true;
  try {
    for await (let chunk of input) {
      if (firstChunk && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      firstChunk = false;
      handle(tokenize(chunk));
      guard.fed(chunk.length);
    }
    handle(tokenize(NONE));
  } catch (err) {
    if (err instanceof InventoryParseError) throw err;
    throw new InventoryParseError(`JSON: ${(err as Error).message}`);
  }
  if (stack.length > 0) throw new InventoryParseError('JSON: the document ends inside an object or array (truncated export?)');
  if (documents === 0) throw new InventoryParseError('JSON: the file holds no JSON document');
  return stats;
}
