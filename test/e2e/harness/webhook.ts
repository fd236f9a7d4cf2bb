// The webhook server inside the test: every Alertmanager receiver is pointed here, and each
// notification is recorded as received, one record per alert, for the scenarios to wait on.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait.js';

/** One alert of one notification (Alertmanager webhook payload, version 4). */
export interface Notified {
  /** Receiver name from the payload: which route of the shipped routing delivered it. */
  receiver: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  /** When the test received it (ms since epoch). */
  receivedAt: number;
}

interface WebhookPayload {
  receiver: string;
  status: string;
  alerts: {
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
  }[];
}

/** Notifications kept: bounded, a runaway repeat loop must not eat the test's memory. */
const MAX_RECORDS = 10_000;

export class WebhookServer {
  readonly received: Notified[] = [];
  private server?: http.Server;
  private port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload;
          const now = Date.now();
          for (const a of payload.alerts ?? []) {
            if (this.received.length >= MAX_RECORDS) this.received.shift();
            this.received.push({
              receiver: payload.receiver,
              status: a.status,
              labels: a.labels,
              annotations: a.annotations ?? {},
              startsAt: a.startsAt,
              endsAt: a.endsAt,
              receivedAt: now,
            });
          }
          res.writeHead(200).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** URL a receiver posts to; the path names the receiver, for reading Alertmanager's own logs. */
  url(receiver: string): string {
    return `http://127.0.0.1:${this.port}/${encodeURIComponent(receiver)}`;
  }

  /** Records matching the filter, in arrival order. */
  find(filter: (n: Notified) => boolean): Notified[] {
    return this.received.filter(filter);
  }

  /** A compact dump of everything received, for failure messages. */
  summary(): string {
    if (this.received.length === 0) return 'webhook: nothing received';
    const lines = this.received.slice(-40).map((n) => {
      const t = new Date(n.receivedAt).toISOString().slice(11, 23);
      return `  ${t} ${n.receiver} ${n.status} ${n.labels.alertname} ${JSON.stringify(n.labels)}`;
    });
    return `webhook: ${this.received.length} alert notifications, last ${lines.length}:\n${lines.join('\n')}`;
  }

  /** Waits until a notification matches, and returns it. */
  waitFor(
    what: string,
    filter: (n: Notified) => boolean,
    timeoutMs: number,
    diagnostics?: () => string | Promise<string>,
  ): Promise<Notified> {
    return waitFor(() => this.received.find(filter), {
      what: `webhook notification: ${what}`,
      timeoutMs,
      intervalMs: 200,
      // The caller's diagnostics (the stack's) include this summary already.
      diagnostics: diagnostics ?? (() => this.summary()),
    });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }
}
