// The audit collector: audits in the background on the injectable clock (never on a scrape), its
// metrics from a fixture root, and `promtool check metrics` on what it renders.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditCollector } from '../../src/collectors/audit/index.js';
import { parseConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { CHECKS } from '../../src/audit/checks/index.js';
import { samples } from '../host/helpers.js';
import { run, expectOk } from '../stack/tools.js';
import { fakeApt, fixtureRoot, makeCerts, tempDir, type TestCerts } from './helpers.js';

const tmp = tempDir('audit-collector');
/** audit.first_run_delay by default. */
const FIRST_RUN_DELAY_MS = 30_000;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let certs: TestCerts;
beforeAll(async () => {
  certs = await makeCerts(tmp);
});

function collector(name: string, audit: Record<string, unknown> = {}) {
  const root = fixtureRoot(name, tempDir('audit-col', tmp));
  const config = parseConfig({
    host: {
      rootfs_path: root,
      proc_path: join(root, 'proc'),
      sys_path: join(root, 'sys'),
      tls: { cert_files: [name === 'weak' ? certs.weak : certs.strong] },
    },
    audit: { interval: '1h', ...audit },
  });
  // On the weak root, after the test certificates' 30 days: they have expired.
  const clock = new ManualClock(Date.now() + (name === 'weak' ? 31 * 86_400_000 : 0));
  const registry = new Registry();
  const apt = fakeApt(tmp, name === 'weak' ? 'apt-dist-upgrade-debian12.txt' : 'apt-dist-upgrade-none.txt')!;
  const c = new AuditCollector(
    { config, registry, stateDir: join(root, '..', 'state'), logger: silentLogger, clock },
    { tools: { commands: {}, updates: apt } },
  );
  const render = async () => {
    await c.update();
    return registry.metrics();
  };
  return { c, clock, render, root };
}

/** Lets a run started by the clock finish. */
async function settle(c: AuditCollector) {
  await new Promise((r) => setImmediate(r));
  await c.idle();
}

describe('audit collector', () => {
  it('audits in the background on its schedule; a scrape only renders the last result', async () => {
    const { c, clock, render } = collector('weak');
    await c.start();
    let text = await render();
    expect(samples(text).has('hostwatch_audit_score')).toBe(false); // nothing run yet
    clock.advance(FIRST_RUN_DELAY_MS - 1);
    await settle(c);
    expect(samples(await render()).has('hostwatch_audit_score')).toBe(false);
    clock.advance(1);
    await settle(c);
    text = await render();
    let s = samples(text);
    expect(s.get('hostwatch_audit_score')).toBe(0);
    expect(s.get('hostwatch_audit_run_success')).toBe(1);
    expect(s.get('hostwatch_audit_last_run_timestamp_seconds')).toBe(clock.now() / 1000);
    expect(s.get('hostwatch_audit_check{check="ACCT-UID0",category="accounts",severity="critical"}')).toBe(0);
    expect(s.get('hostwatch_audit_checks{result="fail"}')).toBe(CHECKS.length - 1);
    expect(s.get('hostwatch_audit_checks{result="skip"}')).toBe(1);
    expect(s.has('hostwatch_audit_check{check="FW-DEFAULT-DENY",category="firewall",severity="medium"}')).toBe(false); // skipped: no sample
    // The texts of each failing check, for the dashboard table; never host data.
    const info = [...s.keys()].filter((k) => k.startsWith('hostwatch_audit_finding_info{'));
    expect(info).toHaveLength(CHECKS.length - 1);
    expect(info.find((k) => k.includes('check="ACCT-UID0"'))).toContain(
      'summary="An account other than root has user id 0, which makes it a second root account."',
    );
    expect(text).not.toContain('toor');
    expect(s.get('hostwatch_encryption_filesystem_encrypted{mountpoint="/"}')).toBe(0);
    expect(s.get('hostwatch_encryption_filesystem_encrypted{mountpoint="/tmp"}')).toBe(0);
    expect(s.get('hostwatch_encryption_swap_encrypted')).toBe(0);
    expect(s.get('hostwatch_encryption_plaintext_listeners{protocol="telnet"}')).toBe(1);
    expect(s.get('hostwatch_encryption_plaintext_listeners{protocol="http"}')).toBe(1);
    expect(s.get('hostwatch_encryption_plaintext_listeners{protocol="rsh"}')).toBe(0);
    expect(s.get('hostwatch_encryption_tls_weak_certificates')).toBe(1);

    // The next run an interval later; none in between, whatever the scrapes.
    const first = s.get('hostwatch_audit_last_run_timestamp_seconds');
    clock.advance(3_600_000 - 1);
    await settle(c);
    s = samples(await render());
    expect(s.get('hostwatch_audit_last_run_timestamp_seconds')).toBe(first);
    clock.advance(1);
    await settle(c);
    s = samples(await render());
    expect(s.get('hostwatch_audit_last_run_timestamp_seconds')).toBe(clock.now() / 1000);
    await c.stop();
  });

  it('a hardened root scores 100 with no finding, and audit.enabled: false runs nothing', async () => {
    const { c, clock, render } = collector('hardened');
    await c.start();
    clock.advance(FIRST_RUN_DELAY_MS);
    await settle(c);
    const s = samples(await render());
    expect(s.get('hostwatch_audit_score')).toBe(100);
    expect([...s.keys()].filter((k) => k.startsWith('hostwatch_audit_finding_info'))).toEqual([]);
    expect(s.get('hostwatch_encryption_filesystem_encrypted{mountpoint="/srv"}')).toBe(1);
    expect(s.get('hostwatch_encryption_swap_encrypted')).toBe(1);
    await c.stop();

    const off = collector('hardened', { enabled: false });
    await off.c.start();
    off.clock.advance(10 * FIRST_RUN_DELAY_MS);
    await settle(off.c);
    expect(samples(await off.render()).has('hostwatch_audit_score')).toBe(false);
    await off.c.stop();
  });

  it('passes promtool check metrics', async () => {
    const { c, clock, render } = collector('weak');
    await c.start();
    clock.advance(FIRST_RUN_DELAY_MS);
    await settle(c);
    const text = await render();
    expect(text).toContain('hostwatch_audit_finding_info{');
    const r = await run('promtool', ['check', 'metrics'], { input: text });
    expectOk(r, 'promtool check metrics');
    await c.stop();
  });
});
