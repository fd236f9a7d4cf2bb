// os-release(5): KEY=value lines, values optionally in double or single quotes with shell-style
// backslash escapes in double quotes; comments and blank lines ignored.

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    let value = line.slice(eq + 1);
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    } else if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.slice(1, -1);
    }
    out[key] = value;
  }
  return out;
}

/** uname -m style name of a Node.js process.arch, for hosts where os.machine() is not usable. */
export function unameArch(nodeArch: string): string {
  const map: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7l', ppc64: 'ppc64le' };
  return map[nodeArch] ?? nodeArch;
}

/** Bounds a label value read from a file: os-release is free text. */
export function clampLabel(s: string, max = 128): string {
  return s.length > max ? s.slice(0, max) : s;
}
