// Accounts: /etc/passwd, /etc/shadow, /etc/group and /etc/login.defs, parsed as the shadow suite
// writes them. /etc/shadow is readable by root only: without it the checks that need it report an
// error rather than a guess.
import type { FactContext } from './context.js';
import type { PasswdEntry, ShadowEntry, GroupEntry } from './types.js';

function records(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '' || l.startsWith('#')) return;
    out.push({ fields: l.split(':'), line: i + 1 });
  });
  return out;
}

/** NIS compat entries (+, -) and malformed lines are left out. */
export function parsePasswd(text: string): PasswdEntry[] {
  return records(text)
    .filter(({ fields }) => fields.length >= 7 && !/^[+-]/.test(fields[0]) && /^\d+$/.test(fields[2]))
    .map(({ fields: f, line }) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5], shell: f[6].trim(), line }));
}

export function parseShadow(text: string): ShadowEntry[] {
  return records(text)
    .filter(({ fields }) => fields.length >= 2 && !/^[+-]/.test(fields[0]))
    .map(({ fields: f }) => ({ name: f[0], hash: f[1], maxDays: /^\d+$/.test(f[4] ?? '') ? Number(f[4]) : undefined }));
}

export function parseGroup(text: string): GroupEntry[] {
  return records(text)
    .filter(({ fields }) => fields.length >= 3 && /^\d+$/.test(fields[2]))
    .map(({ fields: f }) => ({
      name: f[0],
      gid: Number(f[2]),
      members: (f[3] ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    }));
}

/** login.defs: "KEY value" lines. */
export function parseLoginDefs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)\s+(\S+)/.exec(l);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** Shells that do not give an interactive login. */
const NO_LOGIN_SHELL = /(^|\/)(nologin|false|sync|halt|shutdown)$/;

export function hasLoginShell(e: PasswdEntry): boolean {
  return e.shell !== '' && !NO_LOGIN_SHELL.test(e.shell);
}

/** A password field that cannot be used to log in: locked ("!", "!!", "!hash") or disabled ("*", "x"). */
export function isLocked(hash: string): boolean {
  return hash.startsWith('!') || hash.startsWith('*') || hash === 'x';
}

async function required(ctx: FactContext, path: string): Promise<string> {
  const text = await ctx.readOptional(path);
  if (text === undefined) throw new Error(`${path} does not exist`);
  return text;
}

export const readPasswd = async (ctx: FactContext) => parsePasswd(await required(ctx, '/etc/passwd'));
export const readShadow = async (ctx: FactContext) => parseShadow(await required(ctx, '/etc/shadow'));
export const readGroup = async (ctx: FactContext) => parseGroup(await required(ctx, '/etc/group'));
export const readLoginDefs = async (ctx: FactContext) => parseLoginDefs((await ctx.readOptional('/etc/login.defs')) ?? '');
