// The `access` log type: web server access logs → request, byte and duration metrics per section.
// Metrics render from the published (checkpointed) state only, never from the live handler.
import type { Registry } from 'prom-client';
import type { AccessLogConfig } from './config.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import type { LogType } from '../handler.js';
import { accessParseFields } from './fields.js';
import { AccessHandler } from './handler.js';
import { flatHistogramSamples } from './histogram.js';
import { STATUS_CLASSES } from './record.js';
import { METHODS } from './request.js';
import { CELLS, SECTION_OTHER, type AccessState } from './state.js';

type Published = () => ReadonlyMap<string, { config: AccessLogConfig; state: AccessState }>;

function requestSamples(published: Published): Sample[] {
  const out: Sample[] = [];
  for (const [log, { state }] of published()) {
    const { sections, requests } = state;
    for (let slot = 0; slot < sections.length; slot++) {
      for (let m = 0; m < METHODS.length; m++) {
        for (let c = 0; c < STATUS_CLASSES.length; c++) {
          const v = requests[slot * CELLS + m * STATUS_CLASSES.length + c];
          // Only combinations seen at least once: 50 zero series per section would be noise.
          if (v > 0) out.push({ labels: { log, section: sections[slot], method: METHODS[m], status: STATUS_CLASSES[c] }, value: v });
        }
      }
    }
  }
  return out;
}

function bytesSamples(published: Published): Sample[] {
  const out: Sample[] = [];
  for (const [log, { state }] of published()) {
    state.sections.forEach((section, slot) => out.push({ labels: { log, section }, value: state.bytes[slot] }));
  }
  return out;
}

const DURATION = 'hostwatch_http_request_duration_seconds';

function durationSamples(published: Published): Sample[] {
  const out: Sample[] = [];
  for (const [log, { state }] of published()) {
    if (!state.timed) continue;
    const width = state.bounds.length + 1;
    state.sections.forEach((section, slot) => {
      for (const s of flatHistogramSamples(DURATION, { log, section }, state.bounds, state.hist, slot * width, state.sums[slot]))
        out.push(s);
    });
  }
  return out;
}

function clientSamples(published: Published): Sample[] {
  const out: Sample[] = [];
  for (const [log, { state }] of published()) {
    const c = state.clients;
    if (c === undefined) continue;
    for (const client in c.top) out.push({ labels: { log, client }, value: c.top[client] });
    out.push({ labels: { log, client: SECTION_OTHER }, value: c.other });
  }
  return out;
}

export const accessLogType: LogType<AccessLogConfig, AccessState> = {
  registerMetrics(registry: Registry, published: Published): void {
    defineMetric(registry, {
      name: 'hostwatch_http_requests_total',
      help:
        'HTTP requests from access logs, by section (first path segment, at most max_sections per log, the rest "__other__"), ' +
        'method (GET..TRACE, else OTHER) and status class (1xx..5xx).',
      type: 'counter',
      labelNames: ['log', 'section', 'method', 'status'],
      samples: () => requestSamples(published),
    });
    defineMetric(registry, {
      name: 'hostwatch_http_response_bytes_total',
      help: 'Response body bytes from access logs, by section.',
      type: 'counter',
      labelNames: ['log', 'section'],
      samples: () => bytesSamples(published),
    });
    defineMetric(registry, {
      name: DURATION,
      help: 'Request duration from access logs whose format has a request time ($request_time, $upstream_response_time, %D), by section.',
      type: 'histogram',
      labelNames: ['log', 'section'],
      samples: () => durationSamples(published),
    });
    defineMetric(registry, {
      name: 'hostwatch_http_client_requests_total',
      help:
        'HTTP requests from access logs by client address (behind trusted_proxies, from X-Forwarded-For): at most top_clients addresses per log, ' +
        'the first to show up as frequent, the rest (and lines without an address) "__other__".',
      type: 'counter',
      labelNames: ['log', 'client'],
      samples: () => clientSamples(published),
    });
  },
  createHandler: (ctx) => new AccessHandler(ctx),
  parseFields: accessParseFields,
};
