// The Exporter over real HTTP on 127.0.0.1:0: web config reloads (basic auth, rate limit), a bad
// reload keeping the running config, readiness during start-up, and a graceful stop that finishes
// the scrape in flight and flushes the collectors before the port closes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Gauge } from 'prom-client';
import { defineMetric } from '../../src/core/metric.js';
import { createLogger } from '../../src/core/log.js';
import { Exporter } from '../../src/exporter/exporter.js';
import { silentLogger } from '../../src/core/log.js';
import { ManualClock } from '../../src/core/clock.js';
import type { CollectorDefinition } from '../../src/collectors/collector.js';
import { get } from './http-get.js';
import { makePki } from './certs.js';

let dir: string;
let exporter: Exporter | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-lifecycle-'));
  await writeFile(join(dir, 'hostwatch.yml'), '');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});

const webFile = () => join(dir, 'web.yml');

function make(collectors: CollectorDefinition[] = [], clock?: ManualClock): Exporter {
  exporter = new Exporter({
    configFile: join(dir, 'hostwatch.yml'),
    webConfigFile: webFile(),
    listenAddress: '127.0.0.1:0',
    telemetryPath: '/metrics',
    stateDir: join(dir, 'state'),
    collectors,
    logger: silentLogger,
    clock,
  });
  return exporter;
}

/** A promise with its resolve, to hold a collector at a known point without sleeping. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('web config reload', () => {
  it('new passwords and limits take effect; a bad file keeps the running ones', async () => {
    await writeFile(webFile(), `basic_auth_users:\n  alice: "${bcrypt.hashSync('one', 4)}"\n`);
    const clock = new ManualClock();
    await make([], clock).start();
    const port = exporter!.address.port;
    expect((await get(port, '/metrics', 'alice:one')).status).toBe(200);

    await writeFile(webFile(), `basic_auth_users:\n  alice: "${bcrypt.hashSync('two', 4)}"\nrate_limit:\n  interval: 1m\n  burst: 2\n`);
    await exporter!.reload();
    expect((await get(port, '/metrics', 'alice:one')).status).toBe(401);
    expect((await get(port, '/metrics', 'alice:two')).status).toBe(200);
    expect((await get(port, '/metrics', 'alice:two')).status).toBe(429);
    clock.advance(60_000);

    await writeFile(webFile(), 'basic_auth_users:\n  alice: not-a-hash\n');
    await exporter!.reload();
    clock.advance(60_000); // the limit stayed too: two tokens back after two minutes
    expect((await get(port, '/metrics', 'alice:two')).status).toBe(200);
    expect((await get(port, '/metrics', 'alice:one')).status).toBe(401);

    // Certificates that cannot be read are a bad reload too: auth stays on, still plain HTTP.
    await writeFile(webFile(), 'tls_server_config:\n  cert_file: none.crt\n  key_file: none.key\n');
    await exporter!.reload();
    clock.advance(60_000);
    expect((await get(port, '/metrics')).status).toBe(401);
  });

  it('a bad web config fails the start with its problems', async () => {
    await writeFile(webFile(), 'basic_auth_users:\n  alice: not-a-hash\nrate_limit:\n  burst: -1\n');
    await expect(make().start()).rejects.toMatchObject({
      problems: [expect.stringMatching(/^basic_auth_users\.alice: not a bcrypt hash/), expect.stringMatching(/^rate_limit\.burst: /)],
    });
  });
});

/** A collector exporting how many logs and FIM roots the config it was built with has. */
const configShape: CollectorDefinition = {
  name: 'configshape',
  help: 'the shape of its config',
  defaultEnabled: true,
  create: (ctx) => {
    defineMetric(ctx.registry, { name: 'test_config_logs', help: 'logs configured', type: 'gauge', value: () => ctx.config.logs.length });
    defineMetric(ctx.registry, {
      name: 'test_config_fim_roots',
      help: 'FIM roots configured',
      type: 'gauge',
      value: () => ctx.config.fim.roots.length,
    });
    return { update: async () => {} };
  },
};

describe('config reload', () => {
  it('an empty config file is valid at start (every default) but refused on reload after a non-empty one: the logs and FIM roots stay', async () => {
    const cfg = join(dir, 'reload.yml');
    await writeFile(cfg, '');
    await writeFile(webFile(), `basic_auth_users:\n  alice: "${bcrypt.hashSync('one', 4)}"\n`);
    const lines: string[] = [];
    exporter = new Exporter({
      configFile: cfg,
      webConfigFile: webFile(),
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      stateDir: join(dir, 'state'),
      collectors: [configShape],
      logger: createLogger({ write: (l) => lines.push(l) }),
    });
    await exporter.start();
    const port = exporter.address.port;
    const scrape = async () => (await get(port, '/metrics', 'alice:one')).body;
    expect(await scrape()).toContain('test_config_logs 0');
    // Running from an empty file, reloading it (say, for a renewed certificate) changes nothing: fine.
    await exporter.reload();
    expect(lines.at(-1)).toMatch(/msg="configuration reloaded"/);

    await writeFile(
      cfg,
      `logs:\n  - name: web\n    type: access\n    path: ${join(dir, 'access.log')}\nfim:\n  roots:\n    - path: ${dir}\n`,
    );
    await exporter.reload();
    expect(await scrape()).toMatch(/^test_config_logs 1$/m);
    expect(await scrape()).toMatch(/^test_config_fim_roots 1$/m);

    for (const empty of ['', '\n  \n', '# all commented out\n# logs: []\n']) {
      await writeFile(cfg, empty);
      await exporter.reload();
      expect(lines.at(-1)).toMatch(/msg="reload failed, keeping the running configuration"/);
      expect(lines.at(-1)).toContain('(file): the file is empty');
      expect(await scrape()).toMatch(/^test_config_logs 1$/m);
      expect(await scrape()).toMatch(/^test_config_fim_roots 1$/m);
    }

    // An empty web config would turn authentication off: refused the same way.
    await writeFile(cfg, '{}');
    await writeFile(webFile(), '');
    await exporter.reload();
    expect(lines.at(-1)).toContain(`${webFile()}: invalid configuration`);
    expect((await get(port, '/metrics')).status).toBe(401);
    expect(await scrape()).toMatch(/^test_config_logs 1$/m);

    // `{}` asks for the defaults explicitly.
    await writeFile(webFile(), `basic_auth_users:\n  alice: "${bcrypt.hashSync('one', 4)}"\n`);
    await exporter.reload();
    expect(lines.at(-1)).toMatch(/msg="configuration reloaded"/);
    expect(await scrape()).toMatch(/^test_config_logs 0$/m);
  });
});

describe('reload status metrics', () => {
  it('hostwatch_config_last_reload_successful and _success_timestamp_seconds follow the reloads, as in Prometheus', async () => {
    const cfg = join(dir, 'status.yml');
    await writeFile(cfg, 'host:\n  collector_timeout: 5s\n');
    await writeFile(webFile(), '');
    const clock = new ManualClock(1_700_000_000_000);
    exporter = new Exporter({
      configFile: cfg,
      webConfigFile: webFile(),
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      stateDir: join(dir, 'state'),
      collectors: [],
      logger: silentLogger,
      clock,
    });
    await exporter.start();
    const port = exporter.address.port;
    const status = async () => {
      const body = (await get(port, '/metrics')).body;
      return [
        /^hostwatch_config_last_reload_successful (\S+)$/m.exec(body)?.[1],
        /^hostwatch_config_last_reload_success_timestamp_seconds (\S+)$/m.exec(body)?.[1],
      ];
    };
    expect(await status()).toEqual(['1', '1700000000']);

    clock.advance(60_000);
    await writeFile(cfg, 'host:\n  colector_timeout: 5s\n');
    await exporter.reload();
    expect(await status()).toEqual(['0', '1700000000']);

    clock.advance(60_000);
    await writeFile(cfg, '');
    await exporter.reload(); // refused: empty after a non-empty file
    expect(await status()).toEqual(['0', '1700000000']);

    clock.advance(60_000);
    await writeFile(cfg, 'host:\n  collector_timeout: 4s\n');
    await exporter.reload();
    expect(await status()).toEqual(['1', '1700000180']);

    // A web config that would switch to HTTPS cannot be applied without a restart: a failed reload.
    clock.advance(60_000);
    const pki = await makePki();
    try {
      await writeFile(webFile(), `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.server.key}\n`);
      await exporter.reload();
      expect(await status()).toEqual(['0', '1700000180']);
    } finally {
      await rm(pki.dir, { recursive: true, force: true });
    }
  });
});

describe('readiness and graceful stop', () => {
  it('/-/ready is 503 until the collectors have started, /-/healthy is 200 all along', async () => {
    await writeFile(webFile(), '');
    const started = gate();
    const release = gate();
    const slowStart: CollectorDefinition = {
      name: 'slowstart',
      help: 'starts slowly',
      defaultEnabled: true,
      create: () => ({
        update: async () => {},
        start: async () => {
          started.open();
          await release.promise;
        },
      }),
    };
    const starting = make([slowStart]).start();
    await started.promise;
    const port = exporter!.address.port;
    expect(await get(port, '/-/ready')).toEqual({ status: 503, body: 'Not ready\n' });
    expect(await get(port, '/-/healthy')).toEqual({ status: 200, body: 'Healthy\n' });
    release.open();
    await starting;
    expect(await get(port, '/-/ready')).toEqual({ status: 200, body: 'Ready\n' });
  });

  it('stop waits for the scrape in flight, which completes with 200, then flushes and closes the port', async () => {
    await writeFile(webFile(), '');
    const inUpdate = gate();
    const finish = gate();
    const events: string[] = [];
    const slow: CollectorDefinition = {
      name: 'slow',
      help: 'a collector held in update()',
      defaultEnabled: true,
      create: (ctx) => {
        const g = new Gauge({ name: 'test_slow_value', help: 'x', registers: [ctx.registry] });
        return {
          update: async () => {
            inUpdate.open();
            await finish.promise;
            g.set(42);
            events.push('update done');
          },
          stop: async () => {
            events.push('collector stopped');
          },
        };
      },
    };
    await make([slow]).start();
    const port = exporter!.address.port;
    const scrape = get(port, '/metrics');
    await inUpdate.promise;
    let stopped = false;
    const stopping = exporter!.stop().then(() => {
      stopped = true;
      events.push('stop resolved');
    });
    // Give the event loop a few turns: stop must still be waiting on the scrape.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    // No new connections are accepted while stopping.
    await expect(get(port, '/-/healthy')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    finish.open();
    const res = await scrape;
    expect(res.status).toBe(200);
    expect(res.body).toContain('test_slow_value 42');
    await stopping;
    expect(events).toEqual(['update done', 'collector stopped', 'stop resolved']);
    const refused = await new Promise<string>((resolve) => {
      net
        .connect(port, '127.0.0.1')
        .on('connect', () => resolve('connected'))
        .on('error', (e) => resolve((e as NodeJS.ErrnoException).code!));
    });
    expect(refused).toBe('ECONNREFUSED');
    exporter = undefined;
  });
});

describe('slow clients', () => {
  it('a client that does not finish its request headers in time is answered 408 and disconnected', async () => {
    await writeFile(webFile(), '');
    exporter = new Exporter({
      configFile: join(dir, 'hostwatch.yml'),
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      stateDir: join(dir, 'state'),
      collectors: [],
      logger: silentLogger,
      headersTimeoutMs: 300,
    });
    await exporter.start();
    const { port } = exporter.address;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // A complete request on a new connection is still served.
    expect((await get(port, '/-/healthy')).status).toBe(200);
  });
});
