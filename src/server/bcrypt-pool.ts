// bcrypt compares off the event loop. bcryptjs is pure JavaScript: a cost-10 compare takes
// 100-300 ms of CPU and its async form still blocks the loop in chunks of up to 100 ms, so a stream
// of bad logins would stall every scrape. One worker thread (bcrypt-worker.ts), started at the first
// uncached login, does them instead; the main thread stays free for scrapes (and for cached logins,
// which never reach the worker). Idle, the worker does not keep the process alive, and it exits
// after IDLE_MS: once Prometheus's credentials are cached, an exporter keeps no thread for bcrypt.
// The queue is bounded: past MAX_PENDING the caller is told to back off instead of the backlog
// (and its memory) growing without end.
import type { Piscina } from 'piscina';
import { workerPool } from '../core/worker-pool.js';
import type { CompareTask } from './bcrypt-worker.js';

export const MAX_PENDING = 32;
const IDLE_MS = 60_000;

export class QueueFullError extends Error {
  constructor() {
    super('too many password checks in progress');
    this.name = 'QueueFullError';
  }
}

let pool: Promise<Piscina> | undefined;
let pending = 0;

function getPool(): Promise<Piscina> {
  if (pool) return pool;
  const script = new URL('./bcrypt-worker.js', import.meta.url);
  const started = workerPool(script, { minThreads: 0, maxThreads: 1, idleTimeout: IDLE_MS }).then((p) => {
    // Piscina reports here a worker that failed outside a compare, such as one that could not
    // start: compares waiting for it fail instead of waiting forever, and the next login starts a
    // new pool.
    p.on('error', () => {
      if (pool === started) pool = undefined;
      void p.destroy();
    });
    return p;
  });
  pool = started;
  return started;
}

/** Whether `password` matches the bcrypt `hash`; rejects with QueueFullError when overloaded. */
export async function bcryptCompare(password: string, hash: string): Promise<boolean> {
  if (pending >= MAX_PENDING) throw new QueueFullError();
  pending++;
  try {
    const task: CompareTask = { password, hash };
    return (await (await getPool()).run(task)) as boolean;
  } finally {
    pending--;
  }
}

/** Number of compares queued or running (for tests). */
export function bcryptPending(): number {
  return pending;
}

/** Number of worker threads running (for tests). */
export async function bcryptThreads(): Promise<number> {
  return pool ? (await pool).threads.length : 0;
}
