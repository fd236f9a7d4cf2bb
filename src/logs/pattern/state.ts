// The counters of one pattern log as plain JSON data. Per rule: the label values admitted so far
// (at most max_label_values per label, first come first served; the rest count as "__other__") and
// one counter per combination, keyed by the values' slot numbers ("0,3", "o" for __other__).

export const VALUE_OTHER = '__other__';
/** Key part of a value counted as __other__. */
export const OTHER_KEY = 'o';
/** Longest label value kept; longer values (a path, a whole line captured by mistake) count as __other__. */
export const MAX_VALUE_LENGTH = 256;

export interface RuleCounts {
  name: string;
  /** The labels the counts were made with (a config change of them restarts the rule's counts). */
  labels: string[];
  /** Admitted values, per label. */
  values: string[][];
  /** Matches per combination of label values. */
  counts: Record<string, number>;
}

export interface PatternState {
  v: 1;
  rules: RuleCounts[];
}

export function emptyRule(name: string, labels: readonly string[]): RuleCounts {
  return { name, labels: [...labels], values: labels.map(() => []), counts: {} };
}

export function copyState(s: PatternState): PatternState {
  return {
    v: 1,
    rules: s.rules.map((r) => ({
      name: r.name,
      labels: r.labels.slice(),
      values: r.values.map((v) => v.slice()),
      counts: { ...r.counts },
    })),
  };
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((v) => typeof v === 'string');

/**
 * Checks a checkpointed state against the configured rules and returns the rules' counts in config
 * order. A rule is matched by name; a rule whose labels changed, or that is new, starts from zero
 * (Prometheus sees new series); a rule no longer configured is dropped. Throws when the data is
 * not a pattern state at all.
 */
export function adaptState(raw: unknown, rules: readonly { name: string; labels: readonly string[] }[]): PatternState {
  const s = raw as PatternState;
  if (!s || typeof s !== 'object' || s.v !== 1 || !Array.isArray(s.rules)) throw new Error('pattern state: unknown version');
  const byName = new Map<string, RuleCounts>();
  for (const r of s.rules) {
    if (!r || typeof r.name !== 'string' || !isStrings(r.labels) || !Array.isArray(r.values) || r.values.length !== r.labels.length) {
      throw new Error('pattern state: bad rule');
    }
    if (!r.values.every(isStrings) || !r.counts || typeof r.counts !== 'object')
      throw new Error(`pattern state: bad values of rule ${r.name}`);
    for (const [key, v] of Object.entries(r.counts)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`pattern state: bad count of rule ${r.name}`);
      const parts = r.labels.length === 0 ? [] : key.split(',');
      if (
        parts.length !== r.labels.length ||
        parts.some((p, i) => p !== OTHER_KEY && !(Number(p) >= 0 && Number(p) < r.values[i].length))
      ) {
        throw new Error(`pattern state: bad key ${JSON.stringify(key)} of rule ${r.name}`);
      }
    }
    byName.set(r.name, r);
  }
  return {
    v: 1,
    rules: rules.map((rule) => {
      const old = byName.get(rule.name);
      const same = old && old.labels.length === rule.labels.length && old.labels.every((l, i) => l === rule.labels[i]);
      return same
        ? { name: old.name, labels: old.labels.slice(), values: old.values.map((v) => v.slice()), counts: { ...old.counts } }
        : emptyRule(rule.name, rule.labels);
    }),
  };
}
