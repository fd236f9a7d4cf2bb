// How the access handler keys the clients it counts (hostwatch_http_client_requests_total): an
// address written as a plain dotted quad is kept as its 32-bit number, read from the line's bytes,
// and turned into text only when it is written out (a snapshot: the checkpoint and the `client`
// label). Decoding every line's address to a string, for a label most lines never get, made the
// default top_clients 1.2x slower (in-process ingest of 2M combined lines, docs/benchmarks.md).
// Only the canonical form (no leading zeros, each part 0-255) becomes a number, so the number
// gives back exactly the text the log holds; any other form (IPv6, a hostname) stays a string.
import { ipv4Value } from '../security/source-key.js';
import { TopK, type TopKState } from '../top-k.js';

/** A client as counted: a canonical dotted-quad IPv4 address as a number, any other address as its text. */
export type ClientKey = string | number;

const DOT = 0x2e;
const ZERO = 0x30;

/** The address in b[s, e) as a number when it is a canonical dotted quad ("192.0.2.1"), else -1 (ipv4Value on bytes). */
export function ipv4Number(b: Uint8Array, s: number, e: number): number {
  let n = 0;
  let parts = 0;
  let i = s;
  for (;;) {
    const start = i;
    let part = 0;
    while (i < e && i - start < 3 && b[i] >= ZERO && b[i] <= ZERO + 9) part = part * 10 + (b[i++] - ZERO);
    const digits = i - start;
    if (digits === 0 || part > 255 || (digits > 1 && b[start] === ZERO)) return -1;
    n = n * 256 + part;
    if (++parts === 4) return i === e ? n : -1;
    if (i >= e || b[i] !== DOT) return -1;
    i++;
  }
}

/** The key of a client address given as text (JSON logs, behind trusted proxies, a mapped ::ffff: address, a checkpoint). */
export function clientKey(address: string): ClientKey {
  const n = ipv4Value(address);
  return n < 0 ? address : n;
}

/** The text of a client key: the address as the log wrote it. */
export function clientText(key: ClientKey): string {
  if (typeof key === 'string') return key;
  return `${Math.floor(key / 0x1000000)}.${Math.floor(key / 0x10000) % 256}.${Math.floor(key / 0x100) % 256}.${key % 256}`;
}

/** Requests per client in a TopK of keys; its state (checkpoint, labels) holds the addresses as text, as it always has. */
export class TopClients {
  private readonly top: TopK<ClientKey>;

  constructor(k: number) {
    this.top = new TopK<ClientKey>(k, clientKey, clientText);
  }

  count(key: ClientKey): void {
    this.top.count(key);
  }

  countOther(): void {
    this.top.countOther();
  }

  snapshot(): TopKState<string> {
    const s = this.top.snapshot();
    return { top: s.top, other: s.other, candidates: s.candidates.map(([key, v]) => [clientText(key), v]) };
  }

  restore(s: TopKState<string> | undefined): void {
    this.top.restore(s && { top: s.top, other: s.other, candidates: s.candidates.map(([a, v]) => [clientKey(a), v]) });
  }
}
