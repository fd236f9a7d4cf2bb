// The generated stack files for a test run: the mixin's generate(overrides) produces the rules (and
// the Alertmanager config when the mixin generates it) with shortened windows and `for:` durations,
// in memory, so that no committed generated file is ever edited by the suite.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './exporter.js';

export type MixinOverrides = Record<string, unknown>;

type GenerateFn = (
  overrides?: MixinOverrides,
) => Map<string, string> | Record<string, string> | Promise<Map<string, string> | Record<string, string>>;

/** Runs the mixin's generate(overrides) and returns relative path → content. */
export async function generateStack(overrides: MixinOverrides): Promise<Map<string, string>> {
  const file = path.join(REPO_ROOT, 'mixin/generate.ts');
  let mod: { generate?: GenerateFn };
  try {
    mod = (await import(pathToFileURL(file).href)) as { generate?: GenerateFn };
  } catch (err) {
    throw new Error(`cannot load ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof mod.generate !== 'function') throw new Error(`${file} does not export generate(overrides)`);
  const out = await mod.generate(overrides);
  return out instanceof Map ? out : new Map(Object.entries(out));
}

/** The generated Prometheus rule files, keyed by their path relative to prometheus/ (e.g. rules/x.yml). */
export function ruleFiles(generated: Map<string, string>): Map<string, string> {
  const rules = new Map<string, string>();
  for (const [rel, content] of generated) {
    const norm = rel.split(path.sep).join('/');
    if (/^prometheus\/rules\/[^/]+\.ya?ml$/.test(norm)) rules.set(norm.slice('prometheus/'.length), content);
  }
  if (rules.size === 0) throw new Error(`the mixin generated no prometheus/rules/*.yml (got: ${[...generated.keys()].join(', ')})`);
  return rules;
}

/** The Alertmanager config when the mixin generates it (with the overridden timers), else undefined. */
export function generatedAlertmanagerConfig(generated: Map<string, string>): string | undefined {
  for (const [rel, content] of generated) if (rel.split(path.sep).join('/') === 'alertmanager/alertmanager.yml') return content;
  return undefined;
}
