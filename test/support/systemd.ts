// The shipped systemd unit as the tests see it: where its ExecStart expects the command, a reader of
// its keys, and `systemd-analyze verify` of a unit file.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The command's path in packaging/hostwatch.service (`npm install -g --prefix /usr/local`). */
export const INSTALLED_BIN = '/usr/local/bin/hostwatch';

/** section → key → every value it is given (systemd unit syntax; no line continuations in ours). */
export function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = out[header[1]!] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 0) throw new Error(`not a unit file line: ${raw}`);
    (section[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return out;
}

/**
 * `systemd-analyze verify UNIT`: its exit code and everything it printed. It exits 0 on warnings (an
 * unknown key, a bad value it ignores), so a clean unit is exit 0 and no output.
 */
export async function verifyUnit(unitPath: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', '--no-pager', unitPath]);
    return { code: 0, output: (stdout + stderr).trim() };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: (e.stdout + e.stderr).trim() };
  }
}
