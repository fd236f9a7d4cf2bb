// The scrapes of the telemetry path, shared and bounded. One scrape computes at a time: a request
// arriving while one is running waits for it and gets its result instead of starting another, so N
// concurrent clients cost one collection and one rendered body per format, not N (5,000 concurrent
// scrapes used to cost 442 MB and made the collectors time out). At most `maxRequests` requests are
// served at once (computing or waiting); the next ones are refused, and the caller answers 503, as
// node_exporter's --web.max-requests does.
//
// The result a waiting request gets was started before it arrived, at most one scrape duration
// earlier; every sample in it is what the exporter published at that time, so counters never go
// backwards and nothing is counted twice.
import { gzip, constants } from 'node:zlib';
import { promisify } from 'node:util';
import { renderFamilies, type ExposedFamily, type ExpositionFormat } from './exposition.js';

const gzipAsync = promisify(gzip);

/** node_exporter's --web.max-requests default. */
export const DEFAULT_MAX_REQUESTS = 40;

/** A body ready to send (UTF-8 text, or its gzip encoding). */
export type ScrapeBody = Buffer;

/** One collection, rendered lazily and once per format and encoding. */
class Snapshot {
  private readonly bodies = new Map<string, Promise<ScrapeBody>>();
  constructor(private readonly families: ExposedFamily[]) {}

  body(format: ExpositionFormat, gzipped: boolean): Promise<ScrapeBody> {
    const key = `${format}${gzipped ? '+gzip' : ''}`;
    let body = this.bodies.get(key);
    if (!body) {
      if (gzipped) {
        // Compressed in libuv's thread pool, off the event loop. Best speed: a scrape shrinks 4.6
        // times at level 1 and 5.1 at level 6, which costs four times the CPU; the scrape must stay cheap.
        body = this.body(format, false).then((text) => gzipAsync(text, { level: constants.Z_BEST_SPEED }));
      } else {
        body = Promise.resolve(Buffer.from(renderFamilies(this.families, format)));
      }
      this.bodies.set(key, body);
    }
    return body;
  }
}

export class SharedScrapes {
  private current?: Promise<Snapshot>;
  private serving = 0;

  /**
   * @param collect runs the collectors and returns the families to expose
   * @param maxRequests requests served at once, computing or waiting (0: no limit)
   * @param onRefused called for each request refused by that limit
   */
  constructor(
    private readonly collect: () => Promise<ExposedFamily[]>,
    readonly maxRequests = DEFAULT_MAX_REQUESTS,
    private readonly onRefused: () => void = () => {},
  ) {}

  /** Requests being served now. */
  get inFlight(): number {
    return this.serving;
  }

  /** The body of a scrape; undefined (answer 503) when `maxRequests` are already being served. */
  serve(format: ExpositionFormat, gzipped: boolean): Promise<ScrapeBody> | undefined {
    if (this.maxRequests > 0 && this.serving >= this.maxRequests) {
      this.onRefused();
      return undefined;
    }
    this.serving++;
    return this.snapshot()
      .then((s) => s.body(format, gzipped))
      .finally(() => {
        this.serving--;
      });
  }

  private snapshot(): Promise<Snapshot> {
    if (!this.current) {
      const running = this.collect().then((families) => new Snapshot(families));
      this.current = running;
      // The next request after this collection ends starts a new one.
      const clear = () => {
        if (this.current === running) this.current = undefined;
      };
      running.then(clear, clear);
    }
    return this.current;
  }
}
