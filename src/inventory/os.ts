// Reduces the OS strings of asset inventories to an os-release style id and a major version, so that
// the inventory's view compares with the exporters' hostwatch_os_info{id,version_id} and the label values
// stay few. Qualys writes fingerprints ("Red Hat Enterprise Linux Server 7.9", "Windows Server 2019
// Datacenter 64 bit Edition Version 1809", "Linux 2.6"); Falcon writes os_version ("RHEL 8.6", "Windows
// Server 2012 R2", "Ventura (13)") with platform_name ("Windows", "Linux", "Mac").
// Versions keep what distinguishes a release: Ubuntu YY.MM, macOS 10.x, Windows Server R2; else the major.

export interface NormalisedOs {
  /** os-release style: ubuntu, debian, rhel, centos, rocky, almalinux, ol, amzn, sles, fedora, alpine,
   *  windows, windows_server, macos, linux (distribution unknown), other, unknown (no OS reported). */
  id: string;
  /** Release as described above, or "" when the string has none. */
  version: string;
  /** linux, windows, macos, other or unknown. */
  platform: string;
}

type Version = (m: RegExpExecArray) => string;
const major: Version = (m) => m[1] ?? '';
const majorMinor: Version = (m) => (m[1] && m[2] ? `${m[1]}.${m[2]}` : (m[1] ?? ''));

interface Rule {
  re: RegExp;
  id: string;
  platform: string;
  version: Version;
}

// Order matters: the more specific names first (CentOS Stream before CentOS, Server before Windows).
const RULES: Rule[] = [
  { re: /\bubuntu\b\D*(\d{2})\.(\d{2})?/i, id: 'ubuntu', platform: 'linux', version: majorMinor },
  { re: /\bubuntu\b/i, id: 'ubuntu', platform: 'linux', version: () => '' },
  { re: /\bdebian\b\D*(\d+)?/i, id: 'debian', platform: 'linux', version: major },
  { re: /\b(?:red\s*hat|rhel)\b\D*(\d+)?/i, id: 'rhel', platform: 'linux', version: major },
  { re: /\bcentos\b\D*(\d+)?/i, id: 'centos', platform: 'linux', version: major },
  { re: /\brocky\b\D*(\d+)?/i, id: 'rocky', platform: 'linux', version: major },
  { re: /\balma\s*linux\b\D*(\d+)?/i, id: 'almalinux', platform: 'linux', version: major },
  { re: /\boracle\s+linux\b\D*(\d+)?/i, id: 'ol', platform: 'linux', version: major },
  { re: /\bamazon\s+linux\b(?:\s+ami)?\D*(\d+)?/i, id: 'amzn', platform: 'linux', version: major },
  { re: /\b(?:suse\s+linux\s+enterprise|sles)\b\D*(\d+)?/i, id: 'sles', platform: 'linux', version: major },
  { re: /\bfedora\b\D*(\d+)?/i, id: 'fedora', platform: 'linux', version: major },
  { re: /\balpine\b\D*(\d+)\.(\d+)?/i, id: 'alpine', platform: 'linux', version: majorMinor },
  {
    re: /\bwindows\s+(?:server\s+)?(20(?:03|08|12|16|19|22|25))(\s+r2)?\b/i,
    id: 'windows_server',
    platform: 'windows',
    version: (m) => `${m[1]}${m[2] ? 'r2' : ''}`,
  },
  { re: /\bwindows\s+server\b/i, id: 'windows_server', platform: 'windows', version: () => '' },
  { re: /\bwindows\s+(xp|vista|7|8\.1|8|10|11)\b/i, id: 'windows', platform: 'windows', version: (m) => m[1].toLowerCase() },
  { re: /\bwindows\b/i, id: 'windows', platform: 'windows', version: () => '' },
  { re: /\b(?:mac\s*os(?:\s*x)?|os\s*x)\s*(10)\.(\d+)/i, id: 'macos', platform: 'macos', version: majorMinor },
  { re: /\bmac\s*os(?:\s*x)?\s*(\d+)?/i, id: 'macos', platform: 'macos', version: major },
  // Falcon's os_version of a Mac is the release name with its number: "Ventura (13)", "Catalina (10.15)".
  {
    re: /^(?:sequoia|sonoma|ventura|monterey|big\s+sur|catalina|mojave|high\s+sierra)\s*\((\d+)(?:\.(\d+))?\)/i,
    id: 'macos',
    platform: 'macos',
    version: (m) => (m[1] === '10' && m[2] ? `10.${m[2]}` : m[1]),
  },
  { re: /\blinux\b/i, id: 'linux', platform: 'linux', version: () => '' },
];

const PLATFORMS: Record<string, string> = { windows: 'windows', linux: 'linux', mac: 'macos', macos: 'macos' };

function match(text: string | undefined): NormalisedOs | undefined {
  if (!text) return undefined;
  for (const r of RULES) {
    const m = r.re.exec(text);
    if (m) return { id: r.id, version: r.version(m), platform: r.platform };
  }
  return undefined;
}

// An export repeats a few dozen OS strings a million times: remember the answers (bounded).
const cache = new Map<string, NormalisedOs>();
const CACHE_MAX = 4096;

/**
 * `os` is the tool's main OS field, `hint` a second one (Falcon's os_product_name), `platform` the
 * coarse platform (Falcon's platform_name). A field that names a version beats one that does not.
 */
export function normaliseOs(os: string | undefined, hint?: string, platform?: string): NormalisedOs {
  const key = `${os ?? ''}\u0000${hint ?? ''}\u0000${platform ?? ''}`;
  let out = cache.get(key);
  if (out === undefined) {
    out = classify(os, hint, platform);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, out);
  }
  return out;
}

function classify(os: string | undefined, hint?: string, platform?: string): NormalisedOs {
  const a = match(os);
  if (a && a.version !== '') return a;
  const b = match(hint);
  if (b && (b.version !== '' || !a)) return b;
  if (a) return a;
  const p = platform ? PLATFORMS[platform.trim().toLowerCase()] : undefined;
  if (p) return { id: p === 'windows' ? 'windows' : p, version: '', platform: p };
  if (os) return { id: 'other', version: '', platform: 'other' };
  return { id: 'unknown', version: '', platform: 'unknown' };
}
