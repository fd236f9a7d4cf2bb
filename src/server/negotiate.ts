// Content negotiation of the telemetry path, as client_golang's promhttp does it: the exposition
// format from `Accept` (OpenMetrics when the scraper prefers it, as Prometheus does, else the text
// format) and gzip from `Accept-Encoding`.
import {
  OPENMETRICS_VERSIONS,
  TEXT_CONTENT_TYPE,
  openMetricsContentType,
  type ExpositionFormat,
  type OpenMetricsVersion,
} from '../exporter/exposition.js';

export interface Negotiated {
  format: ExpositionFormat;
  contentType: string;
}

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
  order: number;
}

/** Parses an Accept or Accept-Encoding header into its entries, best first (by q, then by order). */
function parseHeader(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  // A header is at most the server's header size limit (16 KiB), split on plain characters: linear.
  header.split(',').forEach((part, order) => {
    const [type, ...rest] = part.split(';').map((p) => p.trim());
    if (!type) return;
    const params = new Map<string, string>();
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0)
        params.set(
          p.slice(0, eq).trim().toLowerCase(),
          p
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1'),
        );
    }
    const q = params.has('q') ? Number(params.get('q')) : 1;
    if (!(q > 0 && q <= 1)) return; // q=0 means "not acceptable"; a garbled q is ignored
    out.push({ type: type.toLowerCase(), params, q, order });
  });
  return out.sort((a, b) => b.q - a.q || a.order - b.order);
}

const TEXT: Negotiated = { format: 'text', contentType: TEXT_CONTENT_TYPE };

/** The format to answer with: the first acceptable of text 0.0.4 and OpenMetrics 1.0.0/0.0.1; text by default. */
export function negotiateFormat(accept: string | undefined): Negotiated {
  for (const range of parseHeader(accept ?? '')) {
    const version = range.params.get('version');
    if (range.type === 'text/plain' && (version === undefined || version === '0.0.4')) return TEXT;
    if (range.type === 'application/openmetrics-text') {
      // As client_golang: no version given means 0.0.1, the first OpenMetrics version.
      const v = version ?? '0.0.1';
      if ((OPENMETRICS_VERSIONS as readonly string[]).includes(v)) {
        return { format: 'openmetrics', contentType: openMetricsContentType(v as OpenMetricsVersion) };
      }
    }
  }
  return TEXT;
}

/** Whether the client accepts a gzip-encoded body. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return parseHeader(acceptEncoding ?? '').some((e) => e.type === 'gzip' || e.type === 'x-gzip');
}
