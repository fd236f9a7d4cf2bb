// The running exporter: collectors, runner, HTTP(S) server, reload and graceful shutdown.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { CollectorDefinition } from '../collectors/collector.js';
import { createCollectors, Runner } from './runner.js';
import type { Logger } from '../core/log.js';
import { systemClock, type Clock } from '../core/clock.js';
import { createApp } from '../server/app.js';
import type { WebConfig } from '../server/webconfig.js';
import { parseListenAddress } from '../server/listen.js';

export interface ExporterOptions {
  configFile: string;
  webConfigFile?: string;
  listenAddress: string;
  telemetryPath: string;
  stateDir: string;
  /** The collectors enabled by flags, in registration order. */
  collectors: CollectorDefinition[];
  logger: Logger;
  clock?: Clock;
  /** Time a client may take to send its request headers (slow-connection defence); default 10 s. */
  headersTimeoutMs?: number;
}

/**
 * A scrape request is a few hundred bytes: a client that has not sent its headers within this time
 * is a slow-connection attack (or broken), not Prometheus. Node's own default is 60 s, and 300 s for
 * the whole request, which lets a few hundred idle sockets hold the exporter's file descriptors.
 */
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Whole-request limit: above the collector timeout (5 s default), below Node's 300 s. */
const REQUEST_TIMEOUT_MS = 60_000;

export class Exporter {
  private runner!: Runner;
  private config!: Config;
  private server?: http.Server | https.Server;
  private webConfig: WebConfig = { middleware: [] };
  private isReady = false;
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private stopping?: Promise<void>;
  private reloading: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ExporterOptions) {}

  get address(): AddressInfo {
    return this.server!.address() as AddressInfo;
  }

  /** The web config code (TLS, basic auth and its bcrypt worker, rate limit) is imported only when a --web.config.file is given. */
  private async loadWebConfig(): Promise<WebConfig> {
    if (!this.opts.webConfigFile) return { middleware: [] };
    const { loadWebConfig } = await import('../server/webconfig.js');
    return loadWebConfig(this.opts.webConfigFile, { clock: this.opts.clock });
  }

  private build(config: Config) {
    return createCollectors(this.opts.collectors, {
      config,
      stateDir: this.opts.stateDir,
      logger: this.opts.logger,
      clock: this.opts.clock ?? systemClock,
    });
  }

  async start(): Promise<void> {
    const log = this.opts.logger;
    this.config = await loadConfig(this.opts.configFile);
    this.webConfig = await this.loadWebConfig();
    this.runner = new Runner(this.build(this.config), log, this.config.host.collector_timeout);

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
    const app = createApp({
      telemetryPath: this.opts.telemetryPath,
      scrape: () => this.runner.scrape(),
      ready: () => this.isReady,
      middleware: [dynamicMiddleware],
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
    this.server = this.webConfig.tls ? https.createServer({ ...this.webConfig.tls, ...limits }, app) : http.createServer(limits, app);
    const { host, port } = parseListenAddress(this.opts.listenAddress);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
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

  /** SIGHUP: re-read both config files; a bad one is reported and the running config stays. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      const log = this.opts.logger;
      let config: Config;
      let webConfig: WebConfig;
      try {
        config = await loadConfig(this.opts.configFile);
        webConfig = await this.loadWebConfig();
      } catch (err) {
        log.error('reload failed, keeping the running configuration', { err: (err as Error).message });
        return;
      }
      if (Boolean(webConfig.tls) !== Boolean(this.webConfig.tls)) {
        log.error('reload: switching between HTTP and HTTPS needs a restart; keeping the running web configuration');
      } else {
        if (webConfig.tls && this.server instanceof https.Server) (await import('../server/webconfig.js')).applyTls(this.server, webConfig.tls);
        this.webConfig = webConfig;
      }
      // Stop the old collectors first: log tailers flush their checkpoints, and the new ones
      // resume from them, so a reload neither loses nor repeats a line.
      await this.runner.stop();
      this.config = config;
      this.runner.replace(this.build(config));
      await this.runner.start();
      log.info('configuration reloaded');
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
      await this.runner?.stop();
    })();
    return this.stopping;
  }
}
