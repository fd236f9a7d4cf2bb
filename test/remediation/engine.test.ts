// The remediation engine with real child processes: label validation in front of every command
// (shell metacharacters, newlines and option-looking values never reach a process), dry run, once
// per fingerprint, cooldown and max_per_hour on a manual clock, timeouts killing the whole process
// group, on_resolve, and the audit log and counter recording every decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { RemediationEngine } from '../../src/remediation/engine.js';
import { actionsSchema, type ActionConfig } from '../../src/remediation/config.js';
import type { WebhookAlert } from '../../src/remediation/payload.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';

let dir: string;
let recorder: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-remed-'));
  // Appends its arguments, as JSON, to the file named by its first argument: what reached the process.
  recorder = join(dir, 'record.mjs');
  await writeFile(
    recorder,
    "import { appendFileSync } from 'node:fs';\nappendFileSync(process.argv[2], JSON.stringify(process.argv.slice(3)) + '\\n');\n",
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
function setup(actions: unknown[], clock = new ManualClock()) {
  const stateDir = join(dir, `state-${++n}`);
  const registry = new Registry();
  const engine = new RemediationEngine({ stateDir, registry, logger: silentLogger, clock });
  engine.configure(actionsSchema.parse(actions) as ActionConfig[]);
  const audit = () =>
    existsSync(engine.auditFile)
      ? readFileSync(engine.auditFile, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
  const count = async (action: string, result: string) =>
    (await registry.getSingleMetricAsString('hostwatch_remediation_runs_total'))
      .split('\n')
      .find((l) => l.startsWith(`hostwatch_remediation_runs_total{action="${action}",result="${result}"}`))
      ?.split(' ')[1];
  return { engine, audit, count, clock, stateDir };
}

const alert = (
  labels: Record<string, string>,
  fingerprint: string,
  status: 'firing' | 'resolved' = 'firing',
  startsAt = '2026-11-30T08:00:00Z',
): WebhookAlert => ({
  status,
  labels: { alertname: 'SSHBruteForce', ...labels },
  annotations: {},
  startsAt,
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: '',
  fingerprint,
});

function blockAction(out: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'block',
    alertname: 'SSHBruteForce',
    command: [process.execPath, recorder, out, 'deny', '{{source}}'],
    labels: { source: 'ip' },
    dry_run: false,
    cooldown: '0s',
    ...extra,
  };
}

const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
    : [];

describe('label validation', () => {
  it('refuses shell injection, newlines and options in labels: no process starts', async () => {
    const out = join(dir, 'injected.log');
    const { engine, audit, count } = setup([blockAction(out)]);
    const evil = [
      '; rm -rf /',
      '$(touch /tmp/pwned)',
      '`id`',
      '10.0.0.1; rm -rf /',
      '10.0.0.1\nrm -rf /',
      '10.0.0.1 && id',
      '--help',
      '',
      '10.0.0.1\u0000',
      "' OR 1=1",
    ];
    const decisions = engine.handle(evil.map((source, i) => alert({ source }, `f${i}`)));
    await engine.idle();
    expect(decisions.map((d) => d.result)).toEqual(evil.map(() => 'invalid_label'));
    expect(existsSync(out)).toBe(false);
    expect(audit().filter((r) => r.result === 'invalid_label')).toHaveLength(evil.length);
    expect(audit().some((r) => r.argv !== undefined)).toBe(false);
    expect(await count('block', 'invalid_label')).toBe(String(evil.length));
    // A missing label is refused the same way.
    expect(engine.handle([alert({}, 'nolabel')])[0]).toMatchObject({
      result: 'invalid_label',
      reason: 'label source: label missing from the alert',
    });
  });

  it('a valid value reaches the process as exactly one argv element', async () => {
    const out = join(dir, 'valid.log');
    const { engine, count } = setup([blockAction(out)]);
    engine.handle([alert({ source: '2001:db8::1' }, 'a'), alert({ source: '192.0.2.7' }, 'b')]);
    await engine.idle();
    expect(
      lines(out)
        .map((l) => l.join(' '))
        .sort(),
    ).toEqual(['deny 192.0.2.7', 'deny 2001:db8::1']);
    expect(await count('block', 'ran')).toBe('2');
  });

  it('custom regex patterns are anchored', async () => {
    const out = join(dir, 'anchored.log');
    const { engine } = setup([{ ...blockAction(out), labels: { source: '[a-z]+' } }]);
    const d = engine.handle([alert({ source: 'abc' }, '1'), alert({ source: 'abc/../x' }, '2')]);
    await engine.idle();
    expect(d.map((x) => x.result)).toEqual(['started', 'invalid_label']);
    expect(lines(out)).toEqual([['deny', 'abc']]);
  });
});

describe('decisions', () => {
  it('dry run (the default) runs nothing and records the command it would have run', async () => {
    const out = join(dir, 'dry.log');
    const { dry_run: _, ...cfg } = blockAction(out);
    const { engine, audit, count } = setup([cfg]);
    const [d] = engine.handle([alert({ source: '192.0.2.1' }, 'x')]);
    await engine.idle();
    expect(d.result).toBe('dry_run');
    expect(existsSync(out)).toBe(false);
    expect(audit()[0]).toMatchObject({
      action: 'block',
      result: 'dry_run',
      argv: [process.execPath, recorder, out, 'deny', '192.0.2.1'],
      fingerprint: 'x',
    });
    expect(await count('block', 'dry_run')).toBe('1');
  });

  it('alerts matching no action are recorded as no_match; matchers select', async () => {
    const out = join(dir, 'match.log');
    const { engine, count } = setup([{ ...blockAction(out), matchers: ['severity=~"crit.*"', 'env!="test"'] }]);
    const d = engine.handle([
      alert({ source: '192.0.2.1', severity: 'critical' }, '1'),
      alert({ source: '192.0.2.2', severity: 'warning' }, '2'),
      alert({ source: '192.0.2.3', severity: 'critical', env: 'test' }, '3'),
      { ...alert({ source: '192.0.2.4' }, '4'), labels: { alertname: 'Other', source: '192.0.2.4' } },
    ]);
    await engine.idle();
    expect(d.map((x) => `${x.action}:${x.result}`)).toEqual(['block:started', 'none:no_match', 'none:no_match', 'none:no_match']);
    expect(lines(out)).toEqual([['deny', '192.0.2.1']]);
    expect(await count('none', 'no_match')).toBe('3');
  });

  it('runs once per firing alert: repeated notifications are duplicates; a new firing after resolve runs again', async () => {
    const out = join(dir, 'dup.log');
    const { engine } = setup([blockAction(out, { on_resolve: [process.execPath, recorder, out, 'allow', '{{source}}'] })]);
    const a = alert({ source: '192.0.2.9' }, 'fp1');
    expect(engine.handle([a])[0].result).toBe('started');
    expect(engine.handle([a])[0].result).toBe('duplicate');
    await engine.idle();
    expect(engine.handle([{ ...a, status: 'resolved' }])[0].result).toBe('started');
    await engine.idle();
    // A second resolved notification for the same alert does nothing.
    expect(engine.handle([{ ...a, status: 'resolved' }])).toEqual([]);
    expect(engine.handle([{ ...a, startsAt: '2026-11-30T09:00:00Z' }])[0].result).toBe('started');
    await engine.idle();
    expect(lines(out)).toEqual([
      ['deny', '192.0.2.9'],
      ['allow', '192.0.2.9'],
      ['deny', '192.0.2.9'],
    ]);
  });

  it('a restart remembers the handled alerts, cooldowns and the hourly count (state file)', async () => {
    const out = join(dir, 'restart.log');
    const clock = new ManualClock();
    const first = setup([blockAction(out, { cooldown: '10m', max_per_hour: 2 })], clock);
    first.engine.handle([alert({ source: '192.0.2.1' }, 'r1')]);
    await first.engine.idle();
    const again = new RemediationEngine({ stateDir: first.stateDir, registry: new Registry(), logger: silentLogger, clock });
    again.configure(actionsSchema.parse([blockAction(out, { cooldown: '10m', max_per_hour: 2 })]));
    expect(again.handle([alert({ source: '192.0.2.1' }, 'r1')])[0].result).toBe('duplicate');
    expect(again.handle([alert({ source: '192.0.2.1' }, 'r2')])[0].result).toBe('cooldown');
    expect(again.handle([alert({ source: '192.0.2.2' }, 'r3')])[0].result).toBe('started');
    expect(again.handle([alert({ source: '192.0.2.3' }, 'r4')])[0].result).toBe('rate_limited');
    await again.idle();
    expect(lines(out)).toHaveLength(2);
  });

  it('cooldown skips the same command until it has passed', async () => {
    const out = join(dir, 'cool.log');
    const { engine, clock, count } = setup([blockAction(out, { cooldown: '10m', max_per_hour: 0 })]);
    expect(engine.handle([alert({ source: '192.0.2.1' }, 'a')])[0].result).toBe('started');
    // Another alert, same arguments: cooldown. Other arguments: runs.
    expect(engine.handle([alert({ source: '192.0.2.1' }, 'b')])[0]).toMatchObject({ result: 'cooldown' });
    expect(engine.handle([alert({ source: '192.0.2.2' }, 'c')])[0].result).toBe('started');
    clock.advance(9 * 60_000);
    expect(engine.handle([alert({ source: '192.0.2.1' }, 'd')])[0].result).toBe('cooldown');
    clock.advance(60_000);
    expect(engine.handle([alert({ source: '192.0.2.1' }, 'e')])[0].result).toBe('started');
    await engine.idle();
    // The runs are concurrent processes: compare without their order.
    expect(
      lines(out)
        .map((l) => l.join(' '))
        .sort(),
    ).toEqual(['deny 192.0.2.1', 'deny 192.0.2.1', 'deny 192.0.2.2']);
    expect(await count('block', 'cooldown')).toBe('2');
  });

  it('max_per_hour limits the runs of an action over a sliding hour', async () => {
    const out = join(dir, 'rate.log');
    const { engine, clock, count } = setup([{ ...blockAction(out, { max_per_hour: 2 }), dry_run: true }]);
    const r = (i: number) => engine.handle([alert({ source: `192.0.2.${i}` }, `f${i}`)])[0].result;
    expect([r(1), r(2), r(3)]).toEqual(['dry_run', 'dry_run', 'rate_limited']);
    clock.advance(30 * 60_000);
    expect(r(4)).toBe('rate_limited');
    clock.advance(30 * 60_000);
    expect([r(5), r(6), r(7)]).toEqual(['dry_run', 'dry_run', 'rate_limited']);
    expect(await count('block', 'rate_limited')).toBe('3');
  });
});

describe('running', () => {
  it('a timeout kills the command and the processes it started (its process group)', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const { engine, audit } = setup([
      {
        name: 'hang',
        alertname: 'Stuck',
        // The test's own fixed argv (no label in it): a child that leaves a grandchild behind and waits.
        command: ['/bin/sh', '-c', `sleep 60 & echo $! > ${pidFile}; wait`],
        timeout: '300ms',
        dry_run: false,
      },
    ]);
    const t0 = Date.now();
    engine.handle([{ ...alert({}, 'h'), labels: { alertname: 'Stuck' } }]);
    await engine.idle();
    expect(Date.now() - t0).toBeLessThan(5000);
    const last = audit().at(-1)!;
    expect(last).toMatchObject({ action: 'hang', result: 'timeout', signal: 'SIGTERM' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // Gone, or a zombie waiting for an init that may not reap (containers): either way not running.
    const running = () => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
      } catch {
        return false;
      }
    };
    // The result comes once the grandchild has closed the output pipes, which the kernel does early
    // in its exit, before the task turns zombie: under load /proc can still show it running for a
    // moment. A grandchild left alive would sleep 60 s, far past this wait.
    const deadline = Date.now() + 5000;
    while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(running()).toBe(false);
  });

  it('records exit codes, output, and a program that cannot start', async () => {
    const { engine, audit, count } = setup([
      { name: 'fails', alertname: 'A', command: ['/bin/sh', '-c', 'echo out; echo err >&2; exit 3'], dry_run: false },
      { name: 'missing', alertname: 'B', command: ['/nonexistent/program'], dry_run: false },
    ]);
    engine.handle([
      { ...alert({}, '1'), labels: { alertname: 'A' } },
      { ...alert({}, '2'), labels: { alertname: 'B' } },
    ]);
    await engine.idle();
    const byAction = Object.fromEntries(
      audit()
        .filter((r) => r.result !== 'started')
        .map((r) => [r.action, r]),
    );
    expect(byAction.fails).toMatchObject({ result: 'failed', exit_code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(byAction.missing).toMatchObject({ result: 'error' });
    expect(String(byAction.missing.reason)).toContain('ENOENT');
    expect(await count('fails', 'failed')).toBe('1');
    // Every run is audited twice: when it starts (before the process exists) and when it ends.
    expect(audit().filter((r) => r.result === 'started')).toHaveLength(2);
  });

  it('run_as needs root: refused (error) without running when hostwatch is not root', async () => {
    const out = join(dir, 'runas.log');
    const registry = new Registry();
    const engine = new RemediationEngine({
      stateDir: join(dir, 'runas'),
      registry,
      logger: silentLogger,
      clock: new ManualClock(),
      isRoot: false,
    });
    engine.configure(actionsSchema.parse([blockAction(out, { run_as: 'nobody' })]));
    expect(engine.handle([alert({ source: '192.0.2.1' }, 'r')])[0]).toMatchObject({
      result: 'error',
      reason: 'run_as needs hostwatch to run as root',
    });
    expect(existsSync(out)).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)('run_as runs the command as that user', async () => {
    const out = join(dir, 'uid.txt');
    const { engine, audit } = setup([{ name: 'who', alertname: 'W', command: ['/usr/bin/id', '-u'], run_as: 'nobody', dry_run: false }]);
    void out;
    engine.handle([{ ...alert({}, 'w'), labels: { alertname: 'W' } }]);
    await engine.idle();
    expect(audit().at(-1)).toMatchObject({ result: 'ran', stdout: '65534\n' });
  });
});

describe('built-in actions', () => {
  it('clean_directory deletes old regular files only, recorded with its parameters; dry run deletes nothing', async () => {
    const target = join(dir, 'cleanme');
    await mkdir(join(target, 'sub'), { recursive: true });
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (const f of ['old1', 'sub/old2', 'new']) await writeFile(join(target, f), 'x'.repeat(10));
    for (const f of ['old1', 'sub/old2']) await utimes(join(target, f), old, old);
    const action = (dry_run: boolean) => ({
      name: 'clean',
      alertname: 'Full',
      builtin: { name: 'clean_directory', path: target, older_than: '7d' },
      dry_run,
      cooldown: '0s',
    });
    const full = (fp: string): WebhookAlert => ({ ...alert({}, fp), labels: { alertname: 'Full' } });

    const dry = setup([action(true)]);
    expect(dry.engine.handle([full('d')])[0]).toMatchObject({
      result: 'dry_run',
      builtin: { name: 'clean_directory', path: target, older_than: 7 * 86_400_000 },
    });
    expect(existsSync(join(target, 'old1'))).toBe(true);

    // The engine's clock decides what is old: a manual clock at the real time.
    const live = setup([action(false)], new ManualClock(Date.now()));
    live.engine.handle([full('l')]);
    await live.engine.idle();
    expect(live.audit().at(-1)).toMatchObject({ action: 'clean', result: 'ran', reason: `deleted 2 files (20 bytes) under ${target}` });
    expect([
      existsSync(join(target, 'old1')),
      existsSync(join(target, 'sub/old2')),
      existsSync(join(target, 'new')),
      existsSync(join(target, 'sub')),
    ]).toEqual([false, false, true, true]);
  });
});
