// The shipped systemd unit and its FIM drop-in, checked by systemd itself: `systemd-analyze verify`
// (syntax, known keys and values, an executable ExecStart) and `systemd-analyze security --offline`
// (the hardening in effect). verify needs the ExecStart binary to exist: the unit's
// /usr/local/bin/hostwatch is rewritten to the repo's built dist/main.js (executable, with the same
// shebang as the installed command); nothing else of the unit is changed. The e2e suite verifies the
// unit against a hostwatch really installed from the packed tarball (test/e2e/install.e2e.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN_JS, REPO_ROOT } from '../support/main.js';
import { INSTALLED_BIN, parseUnit, verifyUnit } from '../support/systemd.js';

const run = promisify(execFile);
const UNIT = join(REPO_ROOT, 'packaging/hostwatch.service');
const DROP_IN = join(REPO_ROOT, 'packaging/hostwatch-fim.conf');

let dir: string;
let unitText: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-systemd-'));
  unitText = await readFile(UNIT, 'utf8');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Writes the unit (ExecStart pointed at `bin`) and optionally the drop-in into a fresh directory. */
async function install(name: string, opts: { bin?: string; dropIn?: string } = {}): Promise<string> {
  const d = join(dir, name);
  await mkdir(join(d, 'hostwatch.service.d'), { recursive: true });
  const unitPath = join(d, 'hostwatch.service');
  await writeFile(unitPath, unitText.replace(`ExecStart=${INSTALLED_BIN} `, `ExecStart=${opts.bin ?? MAIN_JS} `));
  if (opts.dropIn !== undefined) await writeFile(join(d, 'hostwatch.service.d/fim.conf'), opts.dropIn);
  return unitPath;
}

/** `systemd-analyze security --offline` of a unit: exit code, and the "✗" lines (what is not hardened). */
async function security(unitPath: string, threshold: number): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', `--threshold=${threshold}`, '--no-pager', unitPath]);
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, output: e.stdout };
  }
}

describe('packaging/hostwatch.service', () => {
  it('starts the command where npm install -g --prefix /usr/local puts it', () => {
    expect(unitText).toContain(`ExecStart=${INSTALLED_BIN} `);
  });

  it('passes systemd-analyze verify without a warning', async () => {
    expect(await verifyUnit(await install('plain'))).toEqual({ code: 0, output: '' });
  });

  it('passes systemd-analyze verify with the FIM drop-in', async () => {
    expect(await verifyUnit(await install('fim', { dropIn: await readFile(DROP_IN, 'utf8') }))).toEqual({ code: 0, output: '' });
  });

  it('verify would tell: a misspelt key in the drop-in, a missing binary', async () => {
    const typo = await verifyUnit(await install('typo', { dropIn: '[Service]\nAmbientCapabilites=CAP_DAC_READ_SEARCH\n' }));
    expect(typo.output).toMatch(/fim\.conf:2: Unknown key 'AmbientCapabilites'/);
    const missing = await verifyUnit(await install('missing', { bin: join(dir, 'no-such-hostwatch') }));
    expect(missing.code).not.toBe(0);
    expect(missing.output).toMatch(/no-such-hostwatch is not executable/);
  });

  it('runs the exporter with the state and config dirs systemd creates, and reloads with SIGHUP', () => {
    const service = parseUnit(unitText).Service!;
    const args = service.ExecStart![0]!.split(/\s+/);
    expect(args).toContain(`--state.dir=/var/lib/${service.StateDirectory![0]}`);
    expect(service.ReadWritePaths).toEqual([`/var/lib/${service.StateDirectory![0]}`]);
    expect(args).toContain(`--config.file=/etc/${service.ConfigurationDirectory![0]}/hostwatch.yml`);
    expect(service.ExecReload).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(service.User).toEqual(['hostwatch']);
    expect(service.SupplementaryGroups![0]!.split(' ')).toEqual(['adm', 'systemd-journal']);
    expect(service.Restart).toEqual(['on-failure']);
  });

  it('keeps its hardening: systemd-analyze security rates its exposure 2.0 or lower', async () => {
    // The exposure rises when a protection is removed: the threshold holds the current level (1.8).
    const r = await security(await install('security'), 20);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Overall exposure level for hostwatch\.service: [0-2]\.\d/);
    // A drop-in that turns the system call filter off is enough to fail it.
    const weakened = await security(await install('weakened', { dropIn: '[Service]\nSystemCallFilter=\n' }), 20);
    expect(weakened.code, weakened.output).not.toBe(0);
  });

  it('with the FIM drop-in, gains CAP_DAC_READ_SEARCH and no other capability', async () => {
    const unitPath = await install('fim-caps', { dropIn: await readFile(DROP_IN, 'utf8') });
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--json=short', unitPath]);
    const checks = JSON.parse(stdout) as { name: string; set: boolean }[];
    const capabilityChecks = checks.filter((c) => c.name.startsWith('CapabilityBoundingSet='));
    const granted = capabilityChecks.filter((c) => !c.set).map((c) => c.name);
    expect(granted).toEqual(['CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)']);
    expect(capabilityChecks.length).toBeGreaterThan(10);
  });
});
