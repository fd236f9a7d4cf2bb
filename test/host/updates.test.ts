// The pending-updates check: real processes (a stand-in `dnf` script printing captured RHEL output,
// and the real apt-get of this Debian machine), scheduled by the injectable clock, never on scrape.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRST_CHECK_DELAY_MS, UpdatesCollector } from '../../src/collectors/updates/index.js';
import type { UpdateTool } from '../../src/collectors/updates/check.js';
import { FIXTURES, makeCtx, samples } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'hostwatch-updates-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake dnf whose behaviour is chosen by the file `<script>.mode`: ok, fail or hang. */
function fakeDnf(name: string): { tool: UpdateTool; calls: () => string[]; mode: (m: string) => void } {
  const path = join(tmp, name);
  writeFileSync(
    path,
    `#!/bin/sh
echo "$*" >> "$0.calls"
mode=$(cat "$0.mode")
[ "$mode" = hang ] && exec sleep 30
[ "$mode" = fail ] && { echo "Error: Failed to download metadata for repo 'baseos'" >&2; exit 1; }
case "$*" in
  "-q check-update") cat '${FIXTURES}updates/dnf-check-update-rhel9.txt'; exit 100;;
  "-q updateinfo list --security") cat '${FIXTURES}updates/dnf-updateinfo-security-rhel9.txt'; exit 0;;
esac
exit 2
`,
  );
  chmodSync(path, 0o755);
  writeFileSync(`${path}.mode`, 'ok');
  return {
    tool: { name: 'dnf', path },
    calls: () => (existsSync(`${path}.calls`) ? readFileSync(`${path}.calls`, 'utf8').trim().split('\n') : []),
    mode: (m) => writeFileSync(`${path}.mode`, m),
  };
}

async function render(ctx: ReturnType<typeof makeCtx>) {
  return samples(await ctx.registry.metrics());
}

describe('updates collector', () => {
  it('runs dnf in the background on the interval; scrapes read the cached result', async () => {
    const dnf = fakeDnf('dnf-ok');
    const ctx = makeCtx({ updates: { interval: '1h' } });
    const c = new UpdatesCollector(ctx, { candidates: [{ name: 'apt', path: join(tmp, 'no-apt-get') }, dnf.tool] });
    await c.start();
    await c.update();
    let s = await render(ctx);
    expect(s.get('hostwatch_os_updates_check_supported{tool="dnf"}')).toBe(1);
    expect(s.has('hostwatch_os_updates_pending{kind="all"}')).toBe(false); // not checked yet
    ctx.clock.advance(FIRST_CHECK_DELAY_MS - 1);
    await c.idle();
    expect(dnf.calls()).toEqual([]);

    ctx.clock.advance(1);
    await c.idle();
    await c.update(); // a scrape: never spawns
    s = await render(ctx);
    expect(dnf.calls()).toEqual(['-q check-update', '-q updateinfo list --security']);
    expect(s.get('hostwatch_os_updates_pending{kind="all"}')).toBe(7);
    expect(s.get('hostwatch_os_updates_pending{kind="security"}')).toBe(3);
    expect(s.get('hostwatch_os_updates_check_success')).toBe(1);
    expect(s.get('hostwatch_os_updates_last_check_timestamp_seconds')).toBe(ctx.clock.now() / 1000);
    expect(s.get('hostwatch_os_updates_check_duration_seconds')).toBeGreaterThan(0);

    ctx.clock.advance(3_600_000 - 1);
    await c.idle();
    expect(dnf.calls()).toHaveLength(2);
    ctx.clock.advance(1);
    await c.idle();
    expect(dnf.calls()).toHaveLength(4);
    await c.stop();
  });

  it('a failed check keeps the last good value and reports check_success 0', async () => {
    const dnf = fakeDnf('dnf-fail');
    const ctx = makeCtx({ updates: { interval: '10m' } });
    const c = new UpdatesCollector(ctx, { candidates: [dnf.tool] });
    await c.start();
    ctx.clock.advance(FIRST_CHECK_DELAY_MS);
    await c.idle();
    const goodAt = ctx.clock.now() / 1000;
    dnf.mode('fail');
    ctx.clock.advance(600_000);
    await c.idle();
    const s = await render(ctx);
    expect(s.get('hostwatch_os_updates_check_success')).toBe(0);
    expect(s.get('hostwatch_os_updates_pending{kind="all"}')).toBe(7);
    expect(s.get('hostwatch_os_updates_last_check_timestamp_seconds')).toBe(goodAt);
    await c.stop();
  });

  it('a check that fails from the start exports no pending value', async () => {
    const dnf = fakeDnf('dnf-fail-first');
    dnf.mode('fail');
    const ctx = makeCtx();
    const c = new UpdatesCollector(ctx, { candidates: [dnf.tool] });
    await c.start();
    ctx.clock.advance(FIRST_CHECK_DELAY_MS);
    await c.idle();
    const s = await render(ctx);
    expect(s.get('hostwatch_os_updates_check_success')).toBe(0);
    expect(s.has('hostwatch_os_updates_pending{kind="all"}')).toBe(false);
    expect(s.has('hostwatch_os_updates_last_check_timestamp_seconds')).toBe(false);
    await c.stop();
  });

  it('a package manager that hangs is killed after updates.timeout', async () => {
    const dnf = fakeDnf('dnf-hang');
    dnf.mode('hang');
    const ctx = makeCtx({ updates: { timeout: '300ms' } });
    const c = new UpdatesCollector(ctx, { candidates: [dnf.tool] });
    await c.start();
    ctx.clock.advance(FIRST_CHECK_DELAY_MS);
    await c.idle();
    const s = await render(ctx);
    expect(s.get('hostwatch_os_updates_check_success')).toBe(0);
    expect(s.get('hostwatch_os_updates_check_duration_seconds')).toBeLessThan(25);
    await c.stop();
  });

  it('stop() aborts a check in progress', async () => {
    const dnf = fakeDnf('dnf-stop');
    dnf.mode('hang');
    const ctx = makeCtx({ updates: { timeout: '1m' } });
    const c = new UpdatesCollector(ctx, { candidates: [dnf.tool] });
    await c.start();
    ctx.clock.advance(FIRST_CHECK_DELAY_MS);
    const started = process.hrtime.bigint();
    await c.stop();
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(25);
  });

  it('without apt-get or dnf: supported 0 with tool="none", no pending metric, nothing scheduled', async () => {
    const ctx = makeCtx();
    const c = new UpdatesCollector(ctx, {
      candidates: [
        { name: 'apt', path: join(tmp, 'none') },
        { name: 'dnf', path: join(tmp, 'none2') },
      ],
    });
    await c.start();
    ctx.clock.advance(10 * 3_600_000);
    const s = await render(ctx);
    expect(s.get('hostwatch_os_updates_check_supported{tool="none"}')).toBe(0);
    expect([...s.keys()].filter((k) => k.startsWith('hostwatch_os_updates_pending'))).toEqual([]);
    await c.stop();
  });

  it('updates.enabled: false runs nothing', async () => {
    const dnf = fakeDnf('dnf-disabled');
    const ctx = makeCtx({ updates: { enabled: false } });
    const c = new UpdatesCollector(ctx, { candidates: [dnf.tool] });
    await c.start();
    ctx.clock.advance(10 * 3_600_000);
    await c.idle();
    expect(dnf.calls()).toEqual([]);
    expect((await render(ctx)).size).toBe(0);
  });

  it('the real apt-get of this machine (simulation, no lock)', async () => {
    const ctx = makeCtx();
    const c = new UpdatesCollector(ctx);
    await c.start();
    const s0 = await render(ctx);
    expect(s0.get('hostwatch_os_updates_check_supported{tool="apt"}')).toBe(1);
    ctx.clock.advance(FIRST_CHECK_DELAY_MS);
    await c.idle();
    const s = await render(ctx);
    expect(s.get('hostwatch_os_updates_check_success')).toBe(1);
    const all = s.get('hostwatch_os_updates_pending{kind="all"}')!;
    const security = s.get('hostwatch_os_updates_pending{kind="security"}')!;
    expect(Number.isInteger(all) && all >= 0).toBe(true);
    expect(security).toBeLessThanOrEqual(all);
    await c.stop();
  }, 120_000);
});
