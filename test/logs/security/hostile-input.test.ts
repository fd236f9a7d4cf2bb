// Whatever the input, the parsers never throw and the label values stay in their fixed sets:
// fixture lines mutated at random (seeded, so a failure reproduces) go through both handlers.
process.env.TZ = 'UTC';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { AuthLogConfig } from '../../../src/logs/auth/config.js';
import type { FirewallLogConfig } from '../../../src/logs/firewall/config.js';
import { ManualClock } from '../../../src/core/clock.js';
import { AuthHandler } from '../../../src/logs/auth/handler.js';
import { REASONS, SERVICE_VALUES } from '../../../src/logs/auth/labels.js';
import { ACTIONS, FirewallHandler } from '../../../src/logs/firewall/handler.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  ' ',
  '',
  ':',
  '[',
  ']',
  ' from ',
  ' port ',
  ' ssh2',
  ' [preauth]',
  'IN=',
  ' OUT=',
  'DPT=',
  'SRC=',
  '\u0000',
  '\ufffd',
  'é',
  '=',
  ';',
  ' user=',
  'rhost=',
  'message repeated 99999999 times: [ ',
];

function mutate(line: string, r: () => number): string {
  let s = line;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const k = r();
    if (k < 0.4) s = s.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + s.slice(at);
    else if (k < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 10));
    else s = s.slice(0, at) + s.slice(Math.floor(r() * s.length));
  }
  return s;
}

const lines = (dir: string) =>
  readdirSync(dir)
    .filter((f) => !f.endsWith('.json'))
    .flatMap((f) => readFileSync(`${dir}/${f}`, 'utf8').split('\n'));

describe('hostile input', () => {
  it('auth: no throw, bounded services and reasons, bounded state', () => {
    const config = parseConfig({ logs: [{ name: 'a', type: 'auth', path: '/x', bruteforce: { max_sources: 50 } }] })
      .logs[0] as AuthLogConfig;
    const h = new AuthHandler({ config, clock: new ManualClock() });
    const r = rng(42);
    const base = lines('test/fixtures/auth');
    for (let i = 0; i < 20_000; i++) h.processLine(mutate(base[i % base.length], r)); // a throw fails the test
    const s = h.snapshot();
    for (const key of Object.keys(s.failures)) {
      const [service, reason] = key.split('|');
      expect(SERVICE_VALUES).toContain(service);
      expect(REASONS).toContain(reason);
    }
    for (const key of Object.keys(s.successes)) expect(SERVICE_VALUES).toContain(key.split('|')[0]);
    expect(s.bruteforce.sources.length).toBeLessThanOrEqual(50);
    expect(Object.keys(s.sudoCommands).length).toBeLessThanOrEqual(config.max_sudo_users + 1);
  });

  it('firewall: no throw, bounded state', () => {
    const config = parseConfig({ logs: [{ name: 'f', type: 'firewall', path: '/x', top_ports: 5, portscan: { max_sources: 50 } }] })
      .logs[0] as FirewallLogConfig;
    const h = new FirewallHandler({ config, clock: new ManualClock() });
    const r = rng(7);
    const base = lines('test/fixtures/firewall');
    for (let i = 0; i < 20_000; i++) h.processLine(mutate(base[i % base.length], r)); // a throw fails the test
    const s = h.snapshot();
    expect(s.packets.length).toBe(ACTIONS.length * 5 * 3);
    expect(Object.keys(s.blockedPorts.ports).length).toBeLessThanOrEqual(5);
    expect(s.portscan.sources.length).toBeLessThanOrEqual(50);
  });
});
