// The pattern handler: every rule that matches a line counts once, with its label values bounded
// per label. Every line is "parsed": a pattern log has no format a line could fail, and most lines
// of the logs rules are written for (ClamAV's, fail2ban's) match no rule by design; counting them
// as unparsed would set off the unparsed-lines alert for every pattern log.
import type { PatternLogConfig } from './config.js';
import type { HandlerContext, LineResult, LogHandler } from '../handler.js';
import { compileRules, RuleMatcher } from './rules.js';
import { adaptState, copyState, emptyRule, MAX_VALUE_LENGTH, OTHER_KEY, type PatternState, type RuleCounts } from './state.js';

export class PatternHandler implements LogHandler<PatternState> {
  private readonly matcher: RuleMatcher;
  private state: PatternState;
  /** Per rule, per label: value → slot in RuleCounts.values. */
  private slots: Map<string, number>[][] = [];
  private readonly result: LineResult = { parsed: true, timestamp: undefined };
  private readonly onMatch = (rule: number, values: string[]) => this.count(rule, values);

  constructor(ctx: HandlerContext<PatternLogConfig>) {
    this.matcher = new RuleMatcher(compileRules(ctx.config.rules));
    this.state = { v: 1, rules: this.matcher.rules.map((r) => emptyRule(r.name, r.labels)) };
    this.index();
  }

  private index(): void {
    this.slots = this.state.rules.map((r) => r.values.map((vals) => new Map(vals.map((v, i) => [v, i]))));
  }

  processLine(line: string): LineResult {
    try {
      this.matcher.match(line, this.onMatch);
    } catch {
      // Nothing counted for this line; RE2 does not throw on any input, this is defence in depth.
    }
    return this.result;
  }

  private count(rule: number, values: string[]): void {
    const rc: RuleCounts = this.state.rules[rule];
    const { labels } = rc;
    let key = '';
    for (let k = 0; k < labels.length; k++) {
      const value = values[k];
      const slots = this.slots[rule][k];
      let slot = slots.get(value);
      if (slot === undefined && rc.values[k].length < this.matcher.rules[rule].maxValues && value.length <= MAX_VALUE_LENGTH) {
        slot = rc.values[k].length;
        rc.values[k].push(value);
        slots.set(value, slot);
      }
      const part = slot === undefined ? OTHER_KEY : String(slot);
      key = k === 0 ? part : `${key},${part}`;
    }
    rc.counts[key] = (rc.counts[key] ?? 0) + 1;
  }

  snapshot(): PatternState {
    return copyState(this.state);
  }

  restore(raw: PatternState): void {
    this.state = adaptState(raw, this.matcher.rules);
    this.index();
  }
}
