// The CLI end to end: the real entry point run by node (the built dist/main.js), its flags,
// check-config exit codes and messages, a bad config at start, and the exporter's signal handling:
// SIGTERM/SIGINT exit 0 after finishing the scrape in flight, SIGHUP with a bad config keeps serving.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import bcrypt from 'bcryptjs';
import { COLLECTORS } from '../../src/collectors/index.js';
import { get } from './http-get.js';
import { PROC, ROOTFS, SYS } from '../host/helpers.js';

import { MAIN_JS } from '../support/main.js';
const run = promisify(execFile);

let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-cli-'));
  await writeFile(join(dir, 'ok.yml'), '');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Runs the CLI to completion. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN_JS, ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A running exporter process whose log lines can be awaited. */
class Running {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [MAIN_JS, '--web.listen-address=127.0.0.1:0', `--state.dir=${join(dir, 'state')}`, ...args], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(this.child);
    let buf = '';
    this.child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => (w.re.test(line) ? (w.resolve(line), false) : true));
      }
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  /** Resolves with the first log line (past or future) matching `re`. */
  waitFor(re: RegExp): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ re, resolve });
      void this.exited.then(() => reject(new Error(`exited before logging ${re}; log:\n${this.lines.join('\n')}`)));
    });
  }

  async port(): Promise<number> {
    const line = await this.waitFor(/msg="hostwatch listening"/);
    return Number(/address=\S+:(\d+)/.exec(line)![1]);
  }
}

function portState(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve('open')));
    s.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
  });
}

/** Flags that run only the named collectors. */
const only = (...names: string[]) => COLLECTORS.map((c) => (names.includes(c.name) ? `--collector.${c.name}` : `--no-collector.${c.name}`));

describe('hostwatch CLI', () => {
  it('--version prints the version, revision and Node.js version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hostwatch \d+\.\d+\.\d+\S* \(revision \S+, node v\d+\./);
  });

  it('--help lists every flag of the issue, the collector switches and the subcommands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['check-config', 'parse', 'fim']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
    for (const flag of [
      '--config.file',
      '--web.listen-address',
      '--web.telemetry-path',
      '--web.config.file',
      '--web.max-requests',
      '--web.max-connections',
      '--web.max-connections-per-client',
      '--state.dir',
      '--log.level',
      '--log.format',
      '--version',
      '--help',
      'check-config',
    ]) {
      expect(r.stdout, flag).toContain(flag);
    }
    expect(COLLECTORS.length).toBeGreaterThan(0);
    for (const c of COLLECTORS) {
      expect(r.stdout).toContain(`--collector.${c.name}`);
      expect(r.stdout).toContain(`--no-collector.${c.name}`);
    }
  });

  it('check-config: 0 for valid files, 1 with every `path: problem` otherwise', async () => {
    await writeFile(join(dir, 'web-ok.yml'), `basic_auth_users:\n  u: "${bcrypt.hashSync('p', 4)}"\n`);
    const ok = await cli(['check-config', '--config.file=ok.yml', '--web.config.file=web-ok.yml']);
    expect(ok).toMatchObject({ code: 0, stdout: 'configuration is valid\n' });

    await writeFile(join(dir, 'bad.yml'), 'host:\n  collector_timeout: soon\n  colector_timeout: 5s\n');
    const bad = await cli(['check-config', '--config.file=bad.yml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad.yml: invalid configuration');
    expect(bad.stderr).toContain('host.collector_timeout: invalid duration "soon"');
    expect(bad.stderr).toContain('host.colector_timeout: unknown key (check the spelling)');

    const missing = await cli(['check-config', '--config.file=absent.yml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('(file): cannot read: ENOENT');

    // One run lists every problem of both files: a duplicate log name next to the other errors of
    // its file, and the missing certificate files next to a bad hash of the web config.
    await writeFile(
      join(dir, 'bad-both.yml'),
      'host:\n  proc_path: [1]\nlogs:\n  - {name: w, type: access, path: 5}\n  - {name: w, type: access, path: /y}\n',
    );
    await writeFile(
      join(dir, 'web-bad.yml'),
      'basic_auth_users:\n  u: secret\ntls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n',
    );
    const both = await cli(['check-config', '--config.file=bad-both.yml', '--web.config.file=web-bad.yml']);
    expect(both.code).toBe(1);
    expect(both.stdout).toBe('');
    expect(both.stderr.split('\n')).toEqual([
      'bad-both.yml: invalid configuration',
      'host.proc_path: must be a string (got a list)',
      'logs[0].path: must be a string or a list (got 5)',
      'logs[1].name: duplicate log name "w" (also logs[0])',
      'web-bad.yml: invalid configuration',
      expect.stringMatching(/^basic_auth_users\.u: not a bcrypt hash/),
      `tls_server_config.cert_file: cannot read ${join(dir, 'a.crt')}: ENOENT`,
      `tls_server_config.key_file: cannot read ${join(dir, 'a.key')}: ENOENT`,
      '',
    ]);

    // --log.format=json: one JSON log line per file, its problems listed.
    const json = await cli(['check-config', '--config.file=bad-both.yml', '--web.config.file=web-bad.yml', '--log.format=json']);
    expect(json.code).toBe(1);
    const records = json.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'invalid configuration',
        file: 'bad-both.yml',
        problems: expect.arrayContaining(['logs[1].name: duplicate log name "w" (also logs[0])']),
      }),
      expect.objectContaining({
        level: 'error',
        msg: 'invalid configuration',
        file: 'web-bad.yml',
        problems: expect.arrayContaining([`tls_server_config.key_file: cannot read ${join(dir, 'a.key')}: ENOENT`]),
      }),
    ]);
    expect((records[0].problems as string[]).length).toBe(3);
    expect((records[1].problems as string[]).length).toBe(3);
  });

  it('the limit flags take whole numbers only', async () => {
    for (const flag of ['--web.max-requests', '--web.max-connections', '--web.max-connections-per-client']) {
      const r = await cli([`${flag}=-1`, '--config.file=ok.yml']);
      expect(r.code, flag).toBe(1);
      expect(r.stderr).toContain(`${flag}: "-1" is not a whole number >= 0`);
    }
  });

  it('a subcommand is found after options written as separate words', async () => {
    const fim = await cli(['--log.level', 'warn', 'fim', '--help']);
    expect(fim.code, fim.stderr).toBe(0);
    expect(fim.stdout).toMatch(/^\s+status\b/m);
    expect(fim.stdout).toMatch(/^\s+accept\b/m);
  });

  it('a bad config fails the start with exit 1 and every `path.to.key: problem`', async () => {
    await writeFile(join(dir, 'bad-start.yml'), 'host:\n  collector_timeout: soon\nlogs:\n  - name: a\n    type: access\n');
    const p = new Running(['--config.file=bad-start.yml', ...only('loadavg')]);
    const { code } = await p.exited;
    expect(code).toBe(1);
    const out = p.lines.join('\n');
    expect(out).toContain('bad-start.yml: invalid configuration');
    expect(out).toMatch(/^host\.collector_timeout: invalid duration "soon"/m);
    expect(out).toMatch(/^logs\[0\]\.path: /m);
    expect(out).not.toMatch(/hostwatch listening/);
  });

  it('with --log.format=json a bad start is reported as JSON log lines, for both files', async () => {
    await writeFile(join(dir, 'bad-json.yml'), 'host:\n  collector_timeout: soon\n');
    await writeFile(join(dir, 'web-bad-json.yml'), 'rate_limit:\n  burst: 0\n');
    const p = new Running(['--config.file=bad-json.yml', '--web.config.file=web-bad-json.yml', '--log.format=json', ...only('loadavg')]);
    expect((await p.exited).code).toBe(1);
    const records = p.lines.map((l) => JSON.parse(l) as { msg: string; file: string; problems: string[] });
    expect(records.map((r) => [r.msg, r.file])).toEqual([
      ['invalid configuration', 'bad-json.yml'],
      ['invalid configuration', 'web-bad-json.yml'],
    ]);
    expect(records[0].problems).toEqual([expect.stringMatching(/^host\.collector_timeout: invalid duration "soon"/)]);
    expect(records[1].problems).toEqual([expect.stringMatching(/^rate_limit\.burst: must be greater than 0 \(got 0\)$/)]);
  });

  it('a bad web config fails the start with exit 1 and the bad key', async () => {
    await writeFile(join(dir, 'web-bad-start.yml'), 'rate_limit:\n  burst: 0\n');
    const p = new Running(['--config.file=ok.yml', '--web.config.file=web-bad-start.yml', ...only()]);
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.lines.join('\n')).toMatch(/^rate_limit\.burst: /m);
  });

  it('SIGTERM during a scrape: the scrape completes, then exit 0 within 5 s and the port is closed', async () => {
    // The loadavg collector reads <proc_path>/loadavg; a FIFO there holds the scrape until the
    // test writes to it, so the scrape is provably in flight when the signal arrives.
    const proc = join(dir, 'proc-fifo');
    await mkdir(proc, { recursive: true });
    await run('mkfifo', [join(proc, 'loadavg')]);
    await writeFile(join(dir, 'fifo.yml'), `host:\n  proc_path: ${proc}\n  collector_timeout: 20s\n`);
    const p = new Running(['--config.file=fifo.yml', ...only('loadavg')]);
    const port = await p.port();
    const scrape = get(port, '/metrics');
    // Opening the FIFO for writing completes once the collector has opened it for reading.
    const writer = await open(join(proc, 'loadavg'), 'w');
    p.child.kill('SIGTERM');
    await p.waitFor(/msg="shutting down" signal=SIGTERM/);
    const signalled = Date.now();
    // A second signal (Ctrl-C under npm delivers SIGINT twice: from the terminal and from npm)
    // must not cut the shutdown short.
    p.child.kill('SIGINT');
    await writer.write('0.25 0.50 0.75 2/345 6789\n');
    await writer.close();
    const res = await scrape;
    expect(res.status).toBe(200);
    expect(res.body).toContain('hostwatch_load1 0.25');
    expect(res.body).toContain('hostwatch_collector_success{collector="loadavg"} 1');
    const exit = await p.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeLessThan(5000);
    expect(await portState(port)).toBe('ECONNREFUSED');
  });

  it('SIGINT exits 0 and closes the port', async () => {
    const p = new Running(['--config.file=ok.yml', ...only('loadavg')]);
    const port = await p.port();
    expect((await get(port, '/-/healthy')).status).toBe(200);
    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
    expect(await portState(port)).toBe('ECONNREFUSED');
  });

  it("node_exporter's flags: --collector.disable-defaults, --path.procfs/sysfs/rootfs and --collector.textfile.directory win over the file, also after SIGHUP", async () => {
    const cfg = join(dir, 'ne.yml');
    const textfiles = join(dir, 'textfiles');
    await mkdir(textfiles, { recursive: true });
    await writeFile(join(textfiles, 'cron.prom'), '# TYPE cron_ok gauge\ncron_ok 1\n');
    // The file points elsewhere: the flags must win.
    await writeFile(cfg, 'host:\n  proc_path: /nonexistent/proc\n  textfile:\n    directory: /nonexistent/textfiles\n');
    const p = new Running([
      `--config.file=${cfg}`,
      '--collector.disable-defaults',
      '--collector.loadavg',
      '--collector.textfile',
      `--path.procfs=${PROC}`,
      `--path.sysfs=${SYS}`,
      `--path.rootfs=${ROOTFS}`,
      `--collector.textfile.directory=${textfiles}`,
    ]);
    const port = await p.port();
    const check = async () => {
      const body = (await get(port, '/metrics')).body;
      // loadavg read from the fixture procfs, the textfile read from the flag's directory.
      expect(body).toMatch(/^hostwatch_load1 1\.12$/m);
      expect(body).toMatch(/^cron_ok 1$/m);
      expect(body).toMatch(/^hostwatch_textfile_scrape_error 0$/m);
      // Only the two collectors enabled by their flags run.
      const ran = [...body.matchAll(/^hostwatch_collector_success\{collector="([^"]+)"\}/gm)].map((m) => m[1]).sort();
      expect(ran).toEqual(['loadavg', 'textfile']);
    };
    await check();
    await writeFile(cfg, 'host:\n  proc_path: /elsewhere/proc\n');
    p.child.kill('SIGHUP');
    await p.waitFor(/msg="configuration reloaded"/);
    await check();
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });

  it('SIGHUP with a bad config or web config keeps serving with the old ones; a good one is applied', async () => {
    const cfg = join(dir, 'hup.yml');
    const web = join(dir, 'hup-web.yml');
    await writeFile(cfg, 'host:\n  collector_timeout: 5s\n');
    await writeFile(web, `basic_auth_users:\n  u: "${bcrypt.hashSync('old', 4)}"\n`);
    const p = new Running([`--config.file=${cfg}`, `--web.config.file=${web}`, ...only('loadavg')]);
    const port = await p.port();
    expect((await get(port, '/metrics', 'u:old')).status).toBe(200);

    await writeFile(cfg, 'host:\n  bogus: 1\n');
    p.child.kill('SIGHUP');
    const failed = await p.waitFor(/msg="reload failed, keeping the running configuration"/);
    expect(failed).toContain('host.bogus: unknown key');
    expect((await get(port, '/metrics', 'u:old')).status).toBe(200);

    // An empty file (an editor's save caught half-way) is refused on reload; the problems of both
    // files are reported by the one reload.
    await writeFile(cfg, '');
    await writeFile(web, 'basic_auth_users:\n  u: plaintext\n');
    p.child.kill('SIGHUP');
    const both = await p.waitFor(/basic_auth_users\.u: not a bcrypt hash/);
    expect(both).toContain('(file): the file is empty');
    expect((await get(port, '/metrics', 'u:old')).status).toBe(200);

    await writeFile(cfg, '{}\n');

    await writeFile(web, `basic_auth_users:\n  u: "${bcrypt.hashSync('new', 4)}"\n`);
    p.child.kill('SIGHUP');
    await p.waitFor(/msg="configuration reloaded"/);
    expect((await get(port, '/metrics', 'u:old')).status).toBe(401);
    expect((await get(port, '/metrics', 'u:new')).status).toBe(200);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });
});
