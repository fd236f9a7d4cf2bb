// The SSH server's effective configuration: `sshd -T` when the running system's sshd can say it
// (it applies every rule of sshd_config(5) and the compiled-in defaults), else sshd_config and its
// Include files read here with the same rules: keywords are case-insensitive, the first value
// obtained wins, Match blocks apply only to some connections (left out: the global settings are the
// ones audited), and algorithm lists may add (+), remove (-) or prepend (^) to the defaults.
// The files are always read too: a fix edits the line that gives a setting its value.
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { compileGlob, expandGlob } from '../../collectors/tls/glob.js';
import { hasWildcard } from '../../core/glob.js';
import type { FactContext } from './context.js';
import type { PackageFacts, SshdOrigin, SshdFacts, SshdDirective } from './types.js';

/** Keywords that may be given several times, every value counting (the others: first one wins). */
const MULTI = new Set([
  'port',
  'listenaddress',
  'hostkey',
  'hostcertificate',
  'acceptenv',
  'setenv',
  'allowusers',
  'allowgroups',
  'denyusers',
  'denygroups',
  'include',
]);

/**
 * OpenSSH 9.2's compiled-in defaults of the audited keywords, as `sshd -T` prints them with an empty
 * sshd_config (captured from Debian 12's openssh-server; the fixture test/fixtures/audit/sshd-T/).
 */
export const SSHD_DEFAULTS: Record<string, string> = {
  port: '22',
  permitrootlogin: 'without-password',
  passwordauthentication: 'yes',
  kbdinteractiveauthentication: 'yes',
  usepam: 'no',
  permitemptypasswords: 'no',
  maxauthtries: '6',
  x11forwarding: 'no',
  ciphers: 'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com',
  macs: 'umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1',
  kexalgorithms:
    'sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256',
};

/** Old spellings sshd still accepts, mapped to the keyword sshd -T prints. */
const ALIASES: Record<string, string> = { challengeresponseauthentication: 'kbdinteractiveauthentication' };

/** One file's directives in order. `Keyword value` or `Keyword=value`; quotes kept in the value. */
export function parseSshdConfig(text: string): SshdDirective[] {
  const out: SshdDirective[] = [];
  let inMatch = false;
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(l);
    if (!m) return;
    const kw = m[1].toLowerCase();
    const keyword = ALIASES[kw] ?? kw;
    if (keyword === 'match') {
      // "Match all" ends a Match block: what follows applies to every connection again.
      inMatch = !/^all$/i.test(m[2].trim());
      return;
    }
    out.push({ keyword, value: m[2].trim(), line: i + 1, text: l, inMatch });
  });
  return out;
}

/** Applies sshd's "+", "-" and "^" list syntax against the default list. */
export function algorithmList(value: string, defaults: string): string {
  const def = defaults.split(',');
  const items = (v: string) => v.slice(1).split(',').filter(Boolean);
  if (value.startsWith('+')) return [...def, ...items(value).filter((a) => !def.includes(a))].join(',');
  if (value.startsWith('^')) return [...items(value), ...def.filter((a) => !items(value).includes(a))].join(',');
  if (value.startsWith('-')) {
    const remove = items(value).map(
      (p) =>
        new RegExp(
          `^${p
            .replace(/[.+^$()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
        ),
    );
    return def.filter((a) => !remove.some((r) => r.test(a))).join(',');
  }
  return value;
}

/** Parses `sshd -T`: one "keyword value" per line; repeated keywords (port, listenaddress) joined by commas. */
export function parseSshdT(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(l.trim());
    if (!m) continue;
    out[m[1]] = out[m[1]] !== undefined ? `${out[m[1]]},${m[2]}` : m[2];
  }
  return out;
}

type FileDirective = SshdDirective & { file: string };

/** Effective global settings from the directives of every file in reading order. */
export function effectiveFromFiles(directives: FileDirective[]): { settings: Record<string, string>; origin: Record<string, SshdOrigin> } {
  const settings: Record<string, string> = {};
  const origin: Record<string, SshdOrigin> = {};
  for (const d of directives) {
    if (d.inMatch || d.keyword === 'include') continue;
    const value = d.value.replace(/^"(.*)"$/, '$1');
    if (MULTI.has(d.keyword)) {
      settings[d.keyword] = settings[d.keyword] !== undefined ? `${settings[d.keyword]},${value}` : value;
      origin[d.keyword] ??= { file: d.file, line: d.line, text: d.text };
      continue;
    }
    if (settings[d.keyword] !== undefined) continue;
    settings[d.keyword] =
      d.keyword in SSHD_DEFAULTS && /^(ciphers|macs|kexalgorithms)$/.test(d.keyword)
        ? algorithmList(value, SSHD_DEFAULTS[d.keyword])
        : value.toLowerCase();
    origin[d.keyword] = { file: d.file, line: d.line, text: d.text };
  }
  for (const [k, v] of Object.entries(SSHD_DEFAULTS)) settings[k] ??= v;
  if (settings.permitrootlogin === 'prohibit-password') settings.permitrootlogin = 'without-password';
  return { settings, origin };
}

const CONFIG = '/etc/ssh/sshd_config';

/** Reads sshd_config and, in place, the files its Include lines name (globs sorted, as sshd does). */
async function readConfigFiles(ctx: FactContext): Promise<FileDirective[] | undefined> {
  const out: FileDirective[] = [];
  const load = async (file: string, depth: number, inMatch: boolean): Promise<boolean> => {
    const text = await ctx.readOptional(file);
    if (text === undefined) return false;
    for (const d of parseSshdConfig(text)) {
      const directive = { ...d, file, inMatch: d.inMatch || inMatch };
      if (d.keyword !== 'include') {
        out.push(directive);
        continue;
      }
      if (depth >= 16) continue;
      for (const pattern of d.value.split(/\s+/)) {
        const abs = posix.isAbsolute(pattern) ? pattern : posix.join('/etc/ssh', pattern);
        const files = hasWildcard(abs) ? (await expandGlob(compileGlob(ctx.file(abs)), 1000)).map((p) => ctx.hostPath(p)) : [abs];
        for (const f of files) await load(f, depth + 1, directive.inMatch);
      }
    }
    return true;
  };
  return (await load(CONFIG, 0, false)) ? out : undefined;
}

function ports(settings: Record<string, string>): number[] {
  return (settings.port ?? '22')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Whether an OpenSSH server is installed: its program, or its package (a config left behind by a removed package does not count). */
async function sshdInstalled(ctx: FactContext, packages: PackageFacts | undefined): Promise<boolean> {
  if (ctx.has('sshd') || packages?.installed.has('openssh-server')) return true;
  const found = await Promise.all(
    ['/usr/sbin/sshd', '/sbin/sshd'].map((p) =>
      stat(ctx.file(p)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.some(Boolean);
}

/** The SSH server's facts; null when no OpenSSH server is installed. */
export async function readSshd(ctx: FactContext): Promise<SshdFacts | null> {
  const [directives, packages] = await Promise.all([readConfigFiles(ctx), ctx.get('packages').catch(() => undefined)]);
  if (!(await sshdInstalled(ctx, packages))) return null;
  const version = packages?.installed.get('openssh-server')?.replace(/^\d+:/, '');
  const fromFiles = effectiveFromFiles(directives ?? []);
  let note: string | undefined = ctx.has('sshd') ? undefined : 'sshd cannot be run here: settings read from the config files';
  if (ctx.has('sshd')) {
    try {
      const r = await ctx.command('sshd', ['-T']);
      if (r.code === 0) {
        const settings = parseSshdT(r.stdout);
        return { source: 'sshd -T', settings, origin: fromFiles.origin, ports: ports(settings), configFile: CONFIG, version };
      }
      note = `sshd -T exited ${r.code} (${r.stderr.trim().split('\n')[0] ?? ''}): settings read from the config files`;
    } catch (err) {
      note = `sshd -T failed (${(err as Error).message}): settings read from the config files`;
    }
  }
  return {
    source: 'config files',
    note,
    settings: fromFiles.settings,
    origin: fromFiles.origin,
    ports: ports(fromFiles.settings),
    configFile: CONFIG,
    version,
  };
}
