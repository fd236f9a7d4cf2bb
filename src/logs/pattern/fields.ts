// `hostwatch parse --type pattern [--config.file F] [--log NAME] FILE|-`: applies the rules of a
// pattern log (the one named by --log, else the first) and prints per line
//   {"n": 1, "match": true, "rule": "clamav", "labels": {"signature": "Eicar-Test-Signature"}}
// with the first matching rule (in config order); when other rules match the same line too, they
// are listed in "also": [{"rule": ..., "labels": {...}}]. Label values are shown as captured, before
// the max_label_values bound (which depends on what the running exporter has seen).
import type { LineParser, ParseFieldsOptions } from '../handler.js';
import type { PatternLogConfig } from './config.js';
import { compileRules, RuleMatcher } from './rules.js';

export async function patternParseFields(opts: ParseFieldsOptions<PatternLogConfig>): Promise<LineParser> {
  const log = await opts.configuredLog(opts.logName);
  const matcher = new RuleMatcher(compileRules(log.rules));
  return (line) => {
    const found: { rule: string; labels: Record<string, string> }[] = [];
    matcher.match(line, (i, values) => {
      const rule = matcher.rules[i];
      const labels: Record<string, string> = {};
      rule.labels.forEach((l, k) => (labels[l] = values[k]));
      found.push({ rule: rule.name, labels });
    });
    if (found.length === 0) return undefined;
    return found.length === 1 ? found[0] : { ...found[0], also: found.slice(1) };
  };
}
