// The packet filter: UFW (its config files, and `ufw status verbose` on the running system), the
// kernel's nftables ruleset (`nft list ruleset`, which also shows iptables-nft rules: UFW's, Docker's,
// hand-written iptables), and firewalld (a running daemon).
import type { FactContext } from './context.js';
import { running } from './processes.js';
import type { InputChain, FirewallFacts } from './types.js';

/** The filter chains hooked on input, from `nft list ruleset`. */
export function parseNftInputChains(text: string): InputChain[] {
  const out: InputChain[] = [];
  let table = '';
  let chain: InputChain | undefined;
  let hooked = false;
  let depth = 0;
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    if (l.endsWith('{')) {
      const t = /^table\s+(\S+\s+\S+)\s*\{$/.exec(l);
      const c = /^chain\s+(\S+)\s*\{$/.exec(l);
      if (depth === 0 && t) table = t[1];
      if (depth === 1 && c) {
        chain = { table, chain: c[1], policy: 'accept', rules: [] };
        hooked = false;
      }
      depth++;
      continue;
    }
    if (l === '}') {
      if (depth === 2 && chain && hooked) out.push(chain);
      if (depth === 2) chain = undefined;
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth !== 2 || !chain) continue;
    const hook = /^type\s+filter\s+hook\s+input\b.*?(?:policy\s+(accept|drop);)?$/.exec(l);
    if (hook) {
      hooked = true;
      chain.policy = hook[1] === 'drop' ? 'drop' : 'accept';
    } else if (!/^type\s/.test(l)) {
      chain.rules.push(l);
    }
  }
  return out;
}

/** A rule that drops or rejects every packet that reaches it (nothing before the verdict but a counter). */
export function isCatchAllDrop(rule: string): boolean {
  return /^(?:counter(?: packets \d+ bytes \d+)?\s+)?(?:log\b.*?\s+)?(?:drop|reject\b.*)$/.test(rule);
}

/** Whether input traffic that no rule allows is dropped by the chain. */
export function dropsByDefault(c: InputChain): boolean {
  return c.policy === 'drop' || (c.rules.length > 0 && isCatchAllDrop(c.rules[c.rules.length - 1]));
}

/** `ufw status verbose`: "Status: active" and "Default: deny (incoming), ...". */
export function parseUfwStatus(text: string): { active: boolean; defaultIncoming?: string } {
  const active = /^Status:\s*active\b/m.test(text);
  const def = /^Default:\s*(\w+)\s*\(incoming\)/m.exec(text);
  return { active, defaultIncoming: def?.[1] };
}

function shellVar(text: string | undefined, name: string): string | undefined {
  const m = text === undefined ? null : new RegExp(`^\\s*${name}\\s*=\\s*"?([^"\\n]*)"?`, 'm').exec(text);
  return m ? m[1].trim() : undefined;
}

export async function readFirewall(ctx: FactContext): Promise<FirewallFacts> {
  const [conf, defaults, processes] = await Promise.all([
    ctx.readOptional('/etc/ufw/ufw.conf'),
    ctx.readOptional('/etc/default/ufw'),
    ctx.get('processes').catch(() => []),
  ]);
  const facts: FirewallFacts = { firewalldRunning: running(processes, 'firewalld') };
  if (conf !== undefined || ctx.has('ufw')) {
    facts.ufw = {
      enabledAtBoot: shellVar(conf, 'ENABLED')?.toLowerCase() === 'yes',
      defaultInput: shellVar(defaults, 'DEFAULT_INPUT_POLICY')?.toUpperCase(),
    };
    if (ctx.has('ufw')) {
      try {
        const r = await ctx.command('ufw', ['status', 'verbose']);
        if (r.code === 0) facts.ufw.active = parseUfwStatus(r.stdout).active;
      } catch {
        // the config files still say what starts at boot
      }
    }
  }
  if (ctx.has('nft')) {
    try {
      const r = await ctx.command('nft', ['list', 'ruleset']);
      if (r.code === 0) facts.nftInputChains = parseNftInputChains(r.stdout);
      else facts.nftNote = `nft list ruleset exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
    } catch (err) {
      facts.nftNote = `nft list ruleset failed: ${(err as Error).message}`;
    }
  } else {
    facts.nftNote = 'nft cannot be run here: the kernel ruleset is unknown';
  }
  return facts;
}
