// The `pattern` log type: user rules (RE2 regex with named groups) → hostwatch_pattern_matches_total.
// Each rule's series carry the rule's own labels; the text format allows label sets to differ
// within one family. Rendered from the published (checkpointed) state only.
import type { Registry } from 'prom-client';
import type { PatternLogConfig } from './config.js';
import { defineMetric, type Labels, type Sample } from '../../core/metric.js';
import type { LogType } from '../handler.js';
import { patternParseFields } from './fields.js';
import { PatternHandler } from './handler.js';
import { OTHER_KEY, VALUE_OTHER, type PatternState } from './state.js';

type Published = () => ReadonlyMap<string, { config: PatternLogConfig; state: PatternState }>;

function matchSamples(published: Published): Sample[] {
  const out: Sample[] = [];
  for (const [log, { state }] of published()) {
    for (const rule of state.rules) {
      for (const [key, value] of Object.entries(rule.counts)) {
        const labels: Labels = { log, rule: rule.name };
        if (rule.labels.length > 0) {
          key.split(',').forEach((part, k) => {
            labels[rule.labels[k]] = part === OTHER_KEY ? VALUE_OTHER : rule.values[k][Number(part)];
          });
        }
        out.push({ labels, value });
      }
    }
  }
  return out;
}

export const patternLogType: LogType<PatternLogConfig, PatternState> = {
  registerMetrics(registry: Registry, published: Published): void {
    defineMetric(registry, {
      name: 'hostwatch_pattern_matches_total',
      help:
        "Lines matched by a pattern rule, by rule and the rule's own labels (named groups, at most max_label_values " +
        'values per label, the rest "__other__").',
      type: 'counter',
      labelNames: ['log', 'rule'],
      samples: () => matchSamples(published),
    });
  },
  createHandler: (ctx) => new PatternHandler(ctx),
  parseFields: patternParseFields,
};
