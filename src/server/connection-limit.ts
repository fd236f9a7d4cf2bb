// Caps the TCP connections the server holds: in total, and per client address. Without them one
// client opening 5,000 connections held every file descriptor and the event loop, and a scraper from
// another address got one scrape in 25 s. A connection over a cap is closed as soon as it is
// accepted, before any TLS or HTTP state is set up for it.
//
// Per client as well as in total, for the reason the rate limit is per client: with only a total
// cap, one client could fill it and lock Prometheus out. The client is the TCP peer address (IPv6
// grouped by /64, as the rate limit does); the per-client table holds only clients with an open
// connection, so it is bounded by the total cap.
import type { Server, Socket } from 'node:net';
import { clientKey } from './rate-limit.js';

export interface ConnectionLimits {
  /** Connections held at once, all clients together (0: no limit). */
  max: number;
  /** Connections held at once by one client address (0: no limit). */
  perClient: number;
}

/** Generous for Prometheus (one keep-alive connection per server) and browsers, bounded for floods. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { max: 512, perClient: 32 };

/** Which cap refused a connection: the total one, or the one of its client address. */
export type RefusalReason = 'limit' | 'client_limit';

export class ConnectionLimiter {
  private openCount = 0;
  private readonly perClient = new Map<string, number>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly onRefused: (reason: RefusalReason) => void = () => {},
  ) {}

  /** Connections held now. */
  get open(): number {
    return this.openCount;
  }

  /**
   * Applies the limits to a server (http or https: both receive the raw TCP socket as 'connection').
   * The server's own connection handlers (HTTP parser set-up; for https, the TLS socket and its
   * handshake) are moved behind the check, so that a refused connection costs one close and nothing
   * else: merely destroying the socket in a listener of our own, ahead of them, left them to build
   * a TLS socket on it and report its failure, and a flood of 5,000 connections took 20 s to drain.
   */
  attach(server: Server): void {
    const handlers = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (!this.admit(socket)) return;
      for (const handler of handlers) handler.call(server, socket);
    });
  }

  /** Counts the connection in, or closes it when over a limit; whether it was admitted. */
  private admit(socket: Socket): boolean {
    const key = clientKey(socket.remoteAddress);
    const held = this.perClient.get(key) ?? 0;
    const reason: RefusalReason | undefined =
      this.limits.max > 0 && this.openCount >= this.limits.max
        ? 'limit'
        : this.limits.perClient > 0 && held >= this.limits.perClient
          ? 'client_limit'
          : undefined;
    if (reason) {
      socket.destroy();
      this.onRefused(reason);
      return false;
    }
    this.openCount++;
    this.perClient.set(key, held + 1);
    socket.once('close', () => {
      this.openCount--;
      const left = this.perClient.get(key)! - 1;
      if (left === 0) this.perClient.delete(key);
      else this.perClient.set(key, left);
    });
    return true;
  }
}
