// The access-log handler: parses each line and counts it into the flat-array state; the hot path
// touches a Map only to find the section's slot.
import type { AccessLogConfig } from './config.js';
import type { HandlerContext, LineResult, LogHandler } from '../handler.js';
import type { LogRecord } from '../record.js';
import { ClientResolver } from './clients.js';
import { TopClients, clientKey } from './client-key.js';
import { observeFlat } from './histogram.js';
import { createAccessParser } from './parse.js';
import { STATUS_CLASSES, type AccessParser, type AccessRecord } from './record.js';
import { MAX_SECTION_LENGTH } from './request.js';
import { CELLS, SECTION_OTHER, copyState, emptyState, validState, type AccessState } from './state.js';

/** Histogram bounds from the config: sorted, without duplicates (observe() needs ascending bounds). */
export function bucketBounds(config: AccessLogConfig): number[] {
  return [...new Set(config.duration_buckets)].sort((a, b) => a - b);
}

const UNPARSED: LineResult = Object.freeze({ parsed: false });

/**
 * Whether a request may give its section a slot of its own. A path section must have been
 * answered with 1xx, 2xx or 5xx: a part of the site that exists (or fails). The scanners that
 * probe every public server for /wp-admin, /.env, /phpmyadmin... get 404, 403 or an https
 * redirect, and would otherwise fill the max_sections slots for good within hours; their requests
 * count under __other__ until the section is really served. The special sections (*, __connect__,
 * __none__) are a fixed small set and always get theirs.
 */
export function admits(section: string, status: number): boolean {
  if (section.length > MAX_SECTION_LENGTH) return false;
  if (section.charCodeAt(0) !== 0x2f) return true;
  return status < 300 || status >= 500;
}

export class AccessHandler implements LogHandler<AccessState> {
  private readonly parser: AccessParser;
  private readonly bounds: number[];
  private readonly maxSections: number;
  private state: AccessState;
  private slots = new Map<string, number>();
  private otherSlot = -1;
  /** Requests per client (top_clients > 0), and who the client of a line is (trusted proxies). */
  private readonly clients?: TopClients;
  private readonly resolver?: ClientResolver;

  constructor(ctx: HandlerContext<AccessLogConfig>) {
    const c = ctx.config;
    if (c.top_clients > 0) {
      this.clients = new TopClients(c.top_clients);
      this.resolver = new ClientResolver(c.trusted_proxies);
    }
    // The format was checked when the config was loaded (schema refinement), so this does not throw.
    // The address (and the proxy header) are read only when clients are counted; a dotted quad is
    // kept as a number unless it must be checked against trusted proxies (client-key.ts).
    const forwarded = this.resolver?.usesForwardedFor ?? false;
    this.parser = createAccessParser(c.format, {
      jsonFields: c.json_fields,
      source: this.clients !== undefined,
      ipv4AsNumber: !forwarded,
      forwarded,
    });
    this.bounds = bucketBounds(c);
    this.maxSections = c.max_sections;
    this.state = emptyState(this.bounds, this.parser.timed);
  }

  /** A line from a source of strings: the parser reads bytes, so it is encoded (as UTF-8, what log files hold). */
  processLine(line: string): LineResult {
    const b = Buffer.from(line);
    return this.processBytes(b, 0, b.length);
  }

  /** A journal entry (a web server logging to syslog): the message is the access log line. */
  processRecord(rec: LogRecord): LineResult {
    return this.processLine(rec.message);
  }

  processBytes(buf: Buffer, start: number, end: number): LineResult {
    const rec = this.parser.parse(buf, start, end);
    if (rec === undefined) return UNPARSED;
    this.count(rec);
    return { parsed: true, timestamp: rec.timestamp };
  }

  /** Counts a parsed record into the state. */
  private count(rec: AccessRecord): void {
    let slot = this.slots.get(rec.section);
    if (slot === undefined) slot = this.admit(rec.section, rec.status);
    const s = this.state;
    s.requests[slot * CELLS + rec.method * STATUS_CLASSES.length + Math.floor(rec.status / 100) - 1]++;
    s.bytes[slot] += rec.bytes;
    const d = rec.duration;
    if (d !== undefined && d >= 0) {
      s.timed = true;
      observeFlat(s.hist, slot * (this.bounds.length + 1), this.bounds, d);
      s.sums[slot] += d;
    }
    if (this.clients !== undefined) {
      if (rec.sourceV4 !== undefined) {
        this.clients.count(rec.sourceV4);
        return;
      }
      const client = this.resolver!.client(rec.source, rec.forwardedFor);
      if (client === undefined) this.clients.countOther();
      else this.clients.count(clientKey(client));
    }
  }

  /**
   * Slot of a section without one yet: a new slot while fewer than max_sections exist and the
   * section is served (see admits()), else the shared __other__ slot. Slots are given first come,
   * first served and kept (restored from the checkpoint too): a counter cannot move to another
   * series later without breaking its monotonicity.
   */
  private admit(section: string, status: number): number {
    const s = this.state;
    const real = s.sections.length - (this.otherSlot >= 0 ? 1 : 0);
    if (real < this.maxSections && admits(section, status)) return this.addSlot(section);
    if (this.otherSlot < 0) this.otherSlot = this.addSlot(SECTION_OTHER);
    return this.otherSlot;
  }

  private addSlot(name: string): number {
    const s = this.state;
    const slot = s.sections.length;
    s.sections.push(name);
    for (let i = 0; i < CELLS; i++) s.requests.push(0);
    s.bytes.push(0);
    for (let i = 0; i <= this.bounds.length; i++) s.hist.push(0);
    s.sums.push(0);
    this.slots.set(name, slot);
    return slot;
  }

  snapshot(): AccessState {
    const s = copyState(this.state);
    if (this.clients !== undefined) s.clients = this.clients.snapshot();
    return s;
  }

  restore(raw: AccessState): void {
    const s = validState(raw, this.bounds, this.maxSections);
    s.timed = s.timed || this.parser.timed;
    // The live client counts are the TopK's; the state carries them only in snapshots.
    this.clients?.restore(s.clients);
    delete s.clients;
    this.state = s;
    this.slots = new Map(s.sections.map((name, i) => [name, i]));
    this.otherSlot = this.slots.get(SECTION_OTHER) ?? -1;
  }
}
