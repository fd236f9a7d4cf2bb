// The `auth` log type: sshd, sudo, su, login and PAM events with brute-force detection per source.
// Metrics render from the checkpointed (published) state only, never from live handler state.
import type { Registry } from 'prom-client';
import type { AuthLogConfig } from './config.js';
import type { Clock } from '../../core/clock.js';
import { defineMetric, type Sample } from '../../core/metric.js';
import type { HandlerContext, LogType } from '../handler.js';
import { authParseFields } from './fields.js';
import { authExplainLines } from './explain.js';
import { sourcesOverThreshold } from '../security/bruteforce.js';
import { topSources } from '../security/top-sources.js';
import { AuthHandler, type AuthState } from './handler.js';

type Published = () => ReadonlyMap<string, { config: AuthLogConfig; state: AuthState }>;

/** Samples of a counter kept as {"a|b": n} in the state, split back into the named labels. */
function splitSamples(published: Published, field: keyof AuthState, labelNames: string[]): Sample[] {
  const out: Sample[] = [];
  for (const [log, { state }] of published()) {
    const rec = state[field] as Record<string, number>;
    for (const key in rec) {
      const parts = key.split('|');
      const labels: Record<string, string> = { log };
      labelNames.forEach((n, i) => (labels[n] = parts[i] ?? ''));
      out.push({ labels, value: rec[key] });
    }
  }
  return out;
}

export const authLogType: LogType<AuthLogConfig, AuthState> = {
  registerMetrics(registry: Registry, published: Published, clock: Clock): void {
    defineMetric(registry, {
      name: 'hostwatch_auth_failures_total',
      help: 'Failed authentication attempts (one per attempt, however many lines log it), by service and reason.',
      type: 'counter',
      labelNames: ['log', 'service', 'reason'],
      samples: () => splitSamples(published, 'failures', ['service', 'reason']),
    });
    defineMetric(registry, {
      name: 'hostwatch_auth_successes_total',
      help: 'Successful authentications (sshd logins, sudo commands, su), by service and method.',
      type: 'counter',
      labelNames: ['log', 'service', 'method'],
      samples: () => splitSamples(published, 'successes', ['service', 'method']),
    });
    defineMetric(registry, {
      name: 'hostwatch_auth_invalid_users_total',
      help: 'Connections that named a user that does not exist, by service.',
      type: 'counter',
      labelNames: ['log', 'service'],
      samples: () => splitSamples(published, 'invalidUsers', ['service']),
    });
    defineMetric(registry, {
      name: 'hostwatch_auth_sudo_commands_total',
      help: 'Commands run through sudo, by invoking user (the first max_sudo_users users, the rest "__other__").',
      type: 'counter',
      labelNames: ['log', 'user'],
      samples: () => splitSamples(published, 'sudoCommands', ['user']),
    });
    defineMetric(registry, {
      name: 'hostwatch_auth_bruteforce_detections_total',
      help: 'Sources crossing the brute-force threshold (failures within the window), once per crossing, by service.',
      type: 'counter',
      labelNames: ['log', 'service'],
      samples: () => splitSamples(published, 'detections', ['service']),
    });
    defineMetric(registry, {
      name: 'hostwatch_auth_bruteforce_sources',
      help: 'Sources currently at or over the brute-force threshold within the window.',
      type: 'gauge',
      labelNames: ['log'],
      samples: () =>
        [...published()].map(([log, { config, state }]) => ({
          labels: { log },
          value: sourcesOverThreshold(state.bruteforce, clock.now(), config.bruteforce.threshold, config.bruteforce.window),
        })),
    });
    defineMetric(registry, {
      name: 'hostwatch_auth_top_failure_sources',
      help: 'Credential failures counted per source since it entered the bounded top-sources summary, for the top_sources sources with the most.',
      type: 'gauge',
      labelNames: ['log', 'source'],
      samples: () => {
        const out: Sample[] = [];
        for (const [log, { config, state }] of published()) {
          for (const [source, value] of topSources(state.top, config.top_sources)) out.push({ labels: { log, source }, value });
        }
        return out;
      },
    });
  },
  createHandler(ctx: HandlerContext<AuthLogConfig>) {
    return new AuthHandler(ctx);
  },
  parseFields: authParseFields,
  explainLines: authExplainLines,
};
