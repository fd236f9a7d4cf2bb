// Firewall checks over facts/firewall.ts: is a packet filter active, and does it drop what no rule
// allows.
import { dropsByDefault } from '../facts/firewall.js';
import type { FirewallFacts } from '../facts/types.js';
import { defineCheck, type Check } from '../types.js';
import { fail, pass, skip } from './common.js';

/** What filters input, in words; empty when nothing does. */
export function activeFirewalls(f: FirewallFacts): string[] {
  const out: string[] = [];
  if (f.ufw && (f.ufw.active ?? f.ufw.enabledAtBoot))
    out.push(f.ufw.active === undefined ? 'ufw (enabled in /etc/ufw/ufw.conf)' : 'ufw (active)');
  if (f.firewalldRunning) out.push('firewalld (running)');
  for (const c of f.nftInputChains ?? []) {
    if (c.policy === 'drop' || c.rules.length > 0)
      out.push(`nftables chain ${c.table} ${c.chain} (policy ${c.policy}, ${c.rules.length} rules)`);
  }
  return out;
}

export const FIREWALL_CHECKS: Check[] = [
  defineCheck({
    id: 'FW-ACTIVE',
    category: 'firewall',
    severity: 'high',
    needs: ['firewall'],
    title: 'Firewall active',
    found: 'No firewall filters the network traffic that reaches this machine.',
    why: 'Without a firewall, every program that opens a network port, even by mistake or with a default password, can be reached by anyone on the network or the internet.',
    fix: 'ufw allow ssh && ufw enable (or an nftables ruleset with an input chain that drops by default, or firewalld)',
    evaluate: ({ firewall }) => {
      const active = activeFirewalls(firewall);
      if (active.length > 0) return pass(...active);
      // Without the kernel ruleset (not the running system), only ufw's and firewalld's absence is known.
      const details = [
        'no ufw active, no firewalld running',
        firewall.nftNote ?? 'no nftables/iptables input chain with rules or a drop policy',
      ];
      return fail(...details);
    },
    autofix: { kind: 'ufw' },
  }),
  defineCheck({
    id: 'FW-DEFAULT-DENY',
    category: 'firewall',
    severity: 'medium',
    needs: ['firewall'],
    title: 'Firewall drops unexpected traffic',
    found: 'The firewall lets through incoming traffic that no rule allows.',
    why: 'A firewall that allows by default only blocks what someone thought of blocking; a new service, or one listening by mistake, is exposed at once.',
    fix: 'ufw default deny incoming (after ufw allow for each service you need), or policy drop on the nftables input chain',
    evaluate: ({ firewall }) => {
      if (activeFirewalls(firewall).length === 0) return skip('no active firewall (see FW-ACTIVE)');
      if (firewall.firewalldRunning) return pass('firewalld: zones reject what their services do not allow');
      const chains = firewall.nftInputChains ?? [];
      const dropping = chains.filter(dropsByDefault);
      if (dropping.length > 0) return pass(...dropping.map((c) => `nftables chain ${c.table} ${c.chain} drops by default`));
      if (firewall.ufw && chains.length === 0) {
        const policy = firewall.ufw.defaultInput ?? 'DROP';
        return policy === 'ACCEPT'
          ? fail(`ufw DEFAULT_INPUT_POLICY="${policy}" (/etc/default/ufw)`)
          : pass(`ufw DEFAULT_INPUT_POLICY="${policy}"`);
      }
      return fail(
        ...chains.map(
          (c) => `nftables chain ${c.table} ${c.chain}: policy ${c.policy}, last rule: ${c.rules[c.rules.length - 1] ?? 'none'}`,
        ),
      );
    },
  }),
];
