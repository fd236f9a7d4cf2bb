// The running exporter: collectors, runner, HTTP(S) server, reload and graceful shutdown.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import { loadConfigFile, type ReadOptions } from '../config/load.js';
import { applyOverrides, type FlagOverrides } from '../config/overrides.js';
import type { Config } from '../config/schema.js';
import type { CollectorDefinition } from '../collectors/collector.js';
import { createCollectors, Runner } from './runner.js';
import { DEFAULT_MAX_REQUESTS, SharedScrapes } from './scrape.js';
import type { Logger } from '../core/log.js';
import { systemClock, type Clock } from '../core/clock.js';
import { createApp } from '../server/app.js';
import type { WebConfig } from '../server/webconfig.js';
import { parseListenAddress } from '../server/listen.js';
import { RemediationEngine } from '../remediation/engine.js';
import type { ApiHandlers } from '../server/api/router.js';
import { buildStatus } from './status-api.js';
import { resolveStateDir } from '../config/state-dir.js';
import { ConnectionLimiter, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../server/connection-limit.js';

export interface ExporterOptions {
  configFile: string;
  webConfigFile?: string;
  listenAddress: string;
  telemetryPath: string;
  /** --state.dir; without it the state dir is the config's state_dir or the default (src/config/state-dir.ts). */
  stateDir?: string;
  /** The collectors enabled by flags, in registration order. */
  collectors: CollectorDefinition[];
  /** Names of all collectors, enabled or not (the status API lists them); default: the enabled ones. */
  availableCollectors?: string[];
  logger: Logger;
  clock?: Clock;
  /** Time a client may take to send its request headers (slow-connection defence); default 10 s. */
  headersTimeoutMs?: number;
  /** Scrapes served at once, computing or waiting for the one computing; over it: 503 (0: no limit). */
  maxRequests?: number;
  /** TCP connections held at once, in total and per client address (0: no limit). */
  connectionLimits?: ConnectionLimits;
  /** Config keys given as flags; they win over the config file, at start and on every reload. */
  overrides?: FlagOverrides;
}

/**
 * A scrape request is a few hundred bytes: a client that has not sent its headers within this time
 * is a slow-connection attack (or broken), not Prometheus. Node's own default is 60 s, and 300 s for
 * the whole request, which lets a few hundred idle sockets hold the exporter's file descriptors.
 */
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Passed to listen(); Linux caps it at net.core.somaxconn (4096 by default since 5.4). */
const LISTEN_BACKLOG = 65535;
/** Whole-request limit: above the collector timeout (5 s default), below Node's 300 s. */
const REQUEST_TIMEOUT_MS = 60_000;

export class Exporter {
  private runner!: Runner;
  private config!: Config;
  private server?: http.Server | https.Server;
  private webConfig: WebConfig = { middleware: [], empty: true };
  /** Whether the running config came from an empty hostwatch.yml (then an empty one reloads fine). */
  private configEmpty = false;
  private isReady = false;
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private stopping?: Promise<void>;
  private reloading: Promise<void> = Promise.resolve();
  private engine?: RemediationEngine;
  private readonly startedAt = Date.now();
  /** Chosen at start from the flag and the config; a reload that would change it is refused for it. */
  stateDir = '';

  constructor(private readonly opts: ExporterOptions) {}

  get address(): AddressInfo {
    return this.server!.address() as AddressInfo;
  }

  /** The web config code (TLS, basic auth and its bcrypt worker, rate limit) is imported only when a --web.config.file is given. */
  private async loadWebConfig(opts: ReadOptions = {}): Promise<WebConfig> {
    if (!this.opts.webConfigFile) return { middleware: [], empty: true };
    const { loadWebConfig } = await import('../server/webconfig.js');
    return loadWebConfig(this.opts.webConfigFile, { ...opts, clock: this.opts.clock });
  }

  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  private build(config: Config) {
    return createCollectors(this.opts.collectors, {
      config,
      stateDir: this.stateDir,
      logger: this.opts.logger,
      clock: this.clock,
    });
  }

  async start(): Promise<void> {
    const log = this.opts.logger;
    // Both files are read before either is refused, so that the start reports the problems of both.
    const [config, web] = await Promise.allSettled([loadConfigFile(this.opts.configFile), this.loadWebConfig()]);
    if (config.status === 'rejected' && web.status === 'rejected')
      throw new AggregateError([config.reason, web.reason], 'invalid configuration');
    if (config.status === 'rejected') throw config.reason;
    if (web.status === 'rejected') throw web.reason;
    this.config = applyOverrides(config.value.config, this.opts.overrides ?? {});
    this.configEmpty = config.value.empty;
    this.webConfig = web.value;
    const state = resolveStateDir(this.opts.stateDir, this.config, this.opts.configFile);
    this.stateDir = state.dir;
    log.info('state directory', { dir: state.dir, from: state.from });
    if (state.note) log.warn(state.note);
    this.runner = new Runner(this.build(this.config), log, this.config.host.collector_timeout);
    this.runner.status.configLoaded(this.clock.now());
    this.engine = new RemediationEngine({
      stateDir: this.stateDir,
      registry: this.runner.selfRegistry,
      logger: log.child({ component: 'remediation' }),
      clock: this.clock,
    });
    this.engine.configure(this.config.actions);
    const handlers: ApiHandlers = {
      status: () =>
        buildStatus({
          runner: this.runner,
          available: this.opts.availableCollectors ?? this.runner.names,
          startedAt: this.startedAt,
          engine: this.engine!,
          actions: () => this.config.actions.map((a) => a.name),
        }),
      alerts: (payload) => this.engine!.handlePayload(payload),
      fimAccept: async (paths) => {
        const [{ rootSettings }, { acceptPaths }] = await Promise.all([import('../collectors/fim/index.js'), import('../fim/accept.js')]);
        const roots = rootSettings(this.config.fim);
        if (roots.length === 0) throw new Error('no fim.roots configured');
        return acceptPaths(roots, paths, this.stateDir);
      },
    };
    // The API (its routes, their zod schemas, the roles file) is imported by its first request:
    // most exporters are only ever scraped.
    let api: Promise<RequestHandler> | undefined;
    const apiRouter = () => (api ??= import('../server/api/router.js').then((m) => m.createApiRouter(handlers)));

    // The web config can change on SIGHUP: route every request through the current middleware list.
    const dynamicMiddleware: RequestHandler = (req, res, next) => {
      const chain = this.webConfig.middleware;
      let i = 0;
      const step = (err?: unknown) => {
        if (err) return next(err);
        const mw = chain[i++];
        if (!mw) return next();
        mw(req, res, step);
      };
      step();
    };
    const status = this.runner.status;
    const scrapes = new SharedScrapes(
      () => this.runner.collect(),
      this.opts.maxRequests ?? DEFAULT_MAX_REQUESTS,
      () => status.scrapeRefused(),
    );
    const app = createApp({
      telemetryPath: this.opts.telemetryPath,
      scrapes,
      ready: () => this.isReady,
      middleware: [dynamicMiddleware],
      // Only /api requests enter the API router: every other request keeps the exact path it had
      // before the API existed (a client that half-closes after its request still gets its answer).
      routers: [(req, res, next) => (req.path.startsWith('/api/') ? void apiRouter().then((r) => r(req, res, next), next) : next())],
      onScrapeStart: () => this.inflight++,
      onScrapeEnd: () => {
        if (--this.inflight === 0) this.idleWaiters.splice(0).forEach((w) => w());
      },
    });
    const headersTimeout = this.opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    const limits: http.ServerOptions = {
      headersTimeout,
      requestTimeout: Math.max(REQUEST_TIMEOUT_MS, headersTimeout),
      // Node checks these timeouts on an interval (30 s by default): check often enough to apply them.
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    };
    // A TLS handshake gets the time of the request headers: Node's default is 120 s, during which a
    // client that opened the connection and sent nothing holds it.
    this.server = this.webConfig.tls
      ? https.createServer({ ...this.webConfig.tls, ...limits, handshakeTimeout: headersTimeout }, app)
      : http.createServer(limits, app);
    const connections = new ConnectionLimiter(this.opts.connectionLimits ?? DEFAULT_CONNECTION_LIMITS, (reason) =>
      status.connectionRefused(reason),
    );
    connections.attach(this.server);
    status.openConnections = () => connections.open;
    const { host, port } = parseListenAddress(this.opts.listenAddress);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      // The accept queue as long as the kernel allows (net.core.somaxconn caps it), as Go servers
      // such as node_exporter have it; Node's default is 511. A burst of connections larger than the
      // queue is held back by the kernel's SYN-ACK retries (1 s, 3 s, 7 s...), and a scraper's
      // connection waits in that line with the flood's; in the queue it is accepted in milliseconds.
      this.server!.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve());
    });
    await this.runner.start();
    this.isReady = true;
    const addr = this.address;
    log.info('hostwatch listening', {
      address: `${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`,
      tls: Boolean(this.webConfig.tls),
      collectors: this.runner.names.join(','),
    });
  }

  /**
   * SIGHUP: re-read both config files; a bad one is reported and the running config stays. Both
   * files are read before either is applied, and the problems of both are reported together. An
   * empty file is refused when the running one was not empty (see ReadOptions.refuseEmpty).
   */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      const log = this.opts.logger;
      const [config, web] = await Promise.allSettled([
        loadConfigFile(this.opts.configFile, { refuseEmpty: !this.configEmpty }),
        this.loadWebConfig({ refuseEmpty: !this.webConfig.empty }),
      ]);
      if (config.status === 'rejected' || web.status === 'rejected') {
        const errors = [config, web].flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
        log.error('reload failed, keeping the running configuration', { err: errors.join('\n') });
        this.runner.status.reloadFailed();
        return;
      }
      const state = resolveStateDir(this.opts.stateDir, config.value.config, this.opts.configFile);
      if (state.dir !== this.stateDir) {
        log.error('reload: a new state directory needs a restart; keeping the running one', {
          running: this.stateDir,
          configured: state.dir,
        });
      }
      const webConfig = web.value;
      // The new hostwatch.yml is applied below even when the web config cannot be: the reload still
      // counts as failed, as the files on disk are not what runs.
      let applied = true;
      if (Boolean(webConfig.tls) !== Boolean(this.webConfig.tls)) {
        log.error('reload: switching between HTTP and HTTPS needs a restart; keeping the running web configuration');
        applied = false;
      } else {
        if (webConfig.tls && this.server instanceof https.Server)
          (await import('../server/webconfig.js')).applyTls(this.server, webConfig.tls);
        this.webConfig = webConfig;
      }
      // Stop the old collectors first: log tailers flush their checkpoints, and the new ones
      // resume from them, so a reload neither loses nor repeats a line.
      await this.runner.stop();
      this.config = applyOverrides(config.value.config, this.opts.overrides ?? {});
      this.configEmpty = config.value.empty;
      this.engine?.configure(this.config.actions);
      this.runner.replace(this.build(this.config));
      await this.runner.start();
      if (applied) {
        this.runner.status.configLoaded(this.clock.now());
        log.info('configuration reloaded');
      } else {
        this.runner.status.reloadFailed();
      }
    });
    return this.reloading;
  }

  /** Stops accepting, waits for in-flight scrapes, flushes collector state. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.isReady = false;
      const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
      this.server?.closeIdleConnections();
      if (this.inflight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      this.server?.closeAllConnections();
      await this.reloading;
      await closed;
      await this.engine?.idle();
      await this.runner?.stop();
    })();
    return this.stopping;
  }
}
