// The settings of the stack scenarios (test/e2e/stack.e2e.test.ts): the mixin overrides that shorten
// windows and timers, the limits of each wait, the shipped routing, and the diagnostics of a counter.
import { RECEIVERS } from '../../../mixin/alertmanager.js';
import type { Stack } from './stack.js';

/** The escalation delay of the test (shipped: 30m): a critical alert still firing this long reaches `escalation`. */
export const ESCALATE_AFTER_S = 20;

/**
 * Mixin overrides for this run (never an edit of generated files): `for:` and windows short enough
 * for seconds-long scenarios, Alertmanager timers of a second or two. Thresholds stay as shipped.
 */
export const MIXIN_OVERRIDES = {
  host: { down: { for: '3s' } },
  traffic: { high: { window: '20s' } },
  security: { bruteForce: { window: '10s' }, portScan: { window: '10s' }, antivirus: { window: '30s' } },
  alertmanager: {
    groupWait: '1s',
    groupInterval: '2s',
    repeatInterval: '1h',
    escalateAfter: `${ESCALATE_AFTER_S}s`,
    escalationRepeatInterval: '1h',
  },
};

/** Limits of each wait: generous for a loaded 2-core machine, still far below the suite's budget. */
export const FIRE_TIMEOUT = 45_000;
export const RESOLVE_TIMEOUT = 75_000;

/** The shipped routing by severity: critical pages, warning goes to chat, info to nobody. */
const ROUTED: Record<string, string> = { critical: RECEIVERS.pager, warning: RECEIVERS.chat };
export const receiverFor = (severity: string) => ROUTED[severity];

/**
 * For alerts on `increase()` of a counter: the counter's samples and its increase, since a series
 * that is born with a non-zero value (first match of a new label set) has no increase to see.
 */
export async function counterDiagnostics(stack: Stack, selector: string): Promise<string> {
  const prom = stack.prometheus!;
  const lines: string[] = [];
  for (const expr of [selector, `increase(${selector}[1m])`]) {
    const data = await prom.query(expr).catch((e: Error) => ({ result: [e.message] }));
    lines.push(`  ${expr} = ${JSON.stringify(data.result)}`);
  }
  const range = await prom.queryRange(selector, Date.now() - 120_000, Date.now(), 5).catch(() => undefined);
  const first = (range?.result as { values: [number, string][] }[] | undefined)?.map((s) => s.values[0]?.[1]);
  lines.push(`  first sample of each series: ${JSON.stringify(first)}`);
  return `counter behind the alert (a series born with a non-zero value shows no increase() for it):\n${lines.join('\n')}\n${await stack.diagnostics()}`;
}
