// sudoers(5): /etc/sudoers and the files it includes (#include/@include, #includedir/@includedir),
// reduced to what the audit needs: which users and groups may run every command without a password.
import { readdir } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import type { FactContext } from './context.js';
import type { SudoRule, SudoersFacts } from './types.js';

const TAGS = new Set([
  'NOPASSWD',
  'PASSWD',
  'NOEXEC',
  'EXEC',
  'SETENV',
  'NOSETENV',
  'LOG_INPUT',
  'NOLOG_INPUT',
  'LOG_OUTPUT',
  'NOLOG_OUTPUT',
  'MAIL',
  'NOMAIL',
  'FOLLOW',
  'NOFOLLOW',
  'INTERCEPT',
  'NOINTERCEPT',
]);
const ALIAS_KINDS = new Set(['User_Alias', 'Runas_Alias', 'Host_Alias', 'Cmnd_Alias', 'Cmd_Alias']);

export type SudoersLine =
  | { kind: 'include'; path: string; dir: boolean; line: number }
  | { kind: 'alias'; type: string; name: string; items: string[]; line: number }
  | { kind: 'spec'; users: string[]; right: string; line: number; text: string };

/** Splits on commas outside parentheses, trimming. */
function splitList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** One file's logical lines (continuations joined), classified; Defaults lines are dropped. */
export function parseSudoers(text: string): SudoersLine[] {
  const out: SudoersLine[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    let l = raw[i];
    while (l.endsWith('\\') && i + 1 < raw.length) l = l.slice(0, -1) + ' ' + raw[++i];
    l = l.trim();
    const inc = /^[#@](include|includedir)\s+(.+)$/.exec(l);
    if (inc) {
      out.push({ kind: 'include', path: inc[2].trim().replace(/^"(.*)"$/, '$1'), dir: inc[1] === 'includedir', line: lineNo });
      continue;
    }
    l = l.replace(/(^|\s)#.*$/, '').trim();
    if (l === '' || /^Defaults\b/.test(l)) continue;
    const alias = /^(\w+)\s+(.*)$/.exec(l);
    if (alias && ALIAS_KINDS.has(alias[1])) {
      // Several definitions may share a line: NAME = a, b : NAME2 = c
      for (const def of alias[2].split(/\s:\s/)) {
        const m = /^([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(def.trim());
        if (m)
          out.push({
            kind: 'alias',
            type: alias[1] === 'Cmd_Alias' ? 'Cmnd_Alias' : alias[1],
            name: m[1],
            items: splitList(m[2]),
            line: lineNo,
          });
      }
      continue;
    }
    const eq = l.indexOf('=');
    if (eq < 0) continue;
    // "alice, %ops  HOSTS = ...": the user list, then the host list, then "=".
    const left = /^(.+?)\s+(\S+(?:\s*,\s*\S+)*)$/.exec(l.slice(0, eq).trim());
    if (!left) continue;
    out.push({ kind: 'spec', users: splitList(left[1]), right: l.slice(eq + 1), line: lineNo, text: l });
  }
  return out;
}

/**
 * Whether a command list grants ALL with NOPASSWD: tags carry over from one command of the list to
 * the next until another tag overrides them, as in sudoers(5).
 */
export function grantsNopasswdAll(right: string, cmndAliases: Map<string, string[]>): boolean {
  // A rule may go on with ": HOSTS = more commands"; tags do not carry over to that part.
  for (const part of right.split(/\s*:\s*[^:=()]+=\s*/)) {
    let nopasswd = false;
    for (let c of splitList(part)) {
      c = c.replace(/^\([^)]*\)\s*/, '');
      for (;;) {
        const opt = /^[A-Z_]+=\S+\s+/.exec(c);
        if (opt) {
          c = c.slice(opt[0].length);
          continue;
        }
        const tag = /^([A-Z_]+)\s*:\s*/.exec(c);
        if (!tag || !TAGS.has(tag[1])) break;
        if (tag[1] === 'NOPASSWD') nopasswd = true;
        if (tag[1] === 'PASSWD') nopasswd = false;
        c = c.slice(tag[0].length);
      }
      if (nopasswd && (cmndAliases.get(c) ?? [c]).includes('ALL')) return true;
    }
  }
  return false;
}

/** Expands User_Alias names in a user list (aliases may name other aliases). */
function expandUsers(items: string[], aliases: Map<string, string[]>, depth = 0): string[] {
  return items.flatMap((u) => {
    const a = aliases.get(u);
    return a && depth < 10 ? expandUsers(a, aliases, depth + 1) : [u];
  });
}

/** Include target, resolved like sudo: relative to the including file's directory. */
function resolveInclude(from: string, path: string): string {
  return posix.isAbsolute(path) ? path : posix.join(dirname(from), path);
}

/** sudo skips files in an includedir whose name ends in "~" or contains a ".". */
export function includedirEntry(name: string): boolean {
  return !name.endsWith('~') && !name.includes('.');
}

/** The rules of /etc/sudoers and its includes; null when sudo is not configured (no /etc/sudoers). */
export async function readSudoers(ctx: FactContext): Promise<SudoersFacts | null> {
  const files: { path: string; lines: SudoersLine[] }[] = [];
  const seen = new Set<string>();
  const load = async (path: string, depth: number): Promise<boolean> => {
    if (seen.has(path) || depth > 8) return true;
    seen.add(path);
    const text = await ctx.readOptional(path);
    if (text === undefined) return false;
    const lines = parseSudoers(text);
    files.push({ path, lines });
    for (const l of lines) {
      if (l.kind !== 'include') continue;
      const target = resolveInclude(path, l.path);
      if (!l.dir) {
        await load(target, depth + 1);
        continue;
      }
      let names: string[] = [];
      try {
        names = (await readdir(ctx.file(target))).filter(includedirEntry).sort();
      } catch {
        // a missing include directory is not an error for sudo either
      }
      for (const n of names) await load(posix.join(target, n), depth + 1);
    }
    return true;
  };
  if (!(await load('/etc/sudoers', 0))) return null;
  const userAliases = new Map<string, string[]>();
  const cmndAliases = new Map<string, string[]>();
  for (const f of files) {
    for (const l of f.lines) {
      if (l.kind === 'alias' && l.type === 'User_Alias') userAliases.set(l.name, l.items);
      if (l.kind === 'alias' && l.type === 'Cmnd_Alias') cmndAliases.set(l.name, l.items);
    }
  }
  const rules: SudoRule[] = [];
  for (const f of files) {
    for (const l of f.lines) {
      if (l.kind !== 'spec') continue;
      rules.push({
        file: f.path,
        line: l.line,
        users: expandUsers(l.users, userAliases),
        nopasswdAll: grantsNopasswdAll(l.right, cmndAliases),
        text: l.text,
      });
    }
  }
  return { rules, files: files.map((f) => f.path) };
}
