// The worker threads of one FIM scan (worker.ts), in a piscina pool. A pool lives for one scan and
// is closed afterwards, so an idle exporter keeps no threads, and none start before a scan does.
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { workerPool } from '../core/worker-pool.js';
import type { HashFiles, HashRequest, HashResult, WalkRequest, WalkResult } from './worker-protocol.js';

/**
 * Tasks posted to each worker at a time. With two, the next task is already there when a worker
 * answers, so it does not wait for the main thread between tasks. This needs piscina's message
 * events (atomics 'disabled'): in its default Atomics.wait loop a worker takes both tasks at once
 * and answers the first only after finishing the second, and then waits for the main thread anyway.
 */
const TASKS_PER_WORKER = 2;

export class WorkerPool {
  /** Number of worker threads: hash_concurrency, or one per core for 0. */
  readonly size: number;
  /** Tasks that run at once (TASKS_PER_WORKER per thread): a scan keeps at most this many posted. */
  readonly capacity: number;
  private readonly pool: Promise<Piscina>;
  private closed = false;

  constructor(size: number) {
    this.size = size > 0 ? size : availableParallelism();
    this.capacity = this.size * TASKS_PER_WORKER;
    // All threads start at once (minThreads): a crashed worker is replaced and its tasks fail
    // (the scan counts them as I/O errors), and the rest of the queue goes on.
    this.pool = workerPool(new URL('./worker.js', import.meta.url), {
      name: 'walk',
      minThreads: this.size,
      maxThreads: this.size,
      concurrentTasksPerWorker: TASKS_PER_WORKER,
      atomics: 'disabled',
    }).then((pool) => {
      // Piscina reports here a worker that failed outside a task, such as one that could not
      // start: tasks waiting for it might never run, so the pool gives up and they fail instead of
      // hanging the scan. The next scan starts a new pool.
      pool.on('error', () => void this.close());
      return pool;
    });
  }

  walk(req: WalkRequest): Promise<WalkResult> {
    return this.run('walk', req);
  }

  hash(files: HashFiles[], follow: boolean): Promise<HashResult> {
    return this.run('hash', { files, follow } satisfies HashRequest);
  }

  /** Runs the function `name` of worker.ts on `task`. */
  private async run<T>(name: 'walk' | 'hash', task: WalkRequest | HashRequest): Promise<T> {
    const pool = this.closed ? undefined : await this.pool;
    if (!pool || this.closed) throw new Error('worker pool closed');
    return (await pool.run(task, { name })) as T;
  }

  /** Stops the threads; tasks not done yet fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pool = await this.pool.catch(() => undefined);
    await pool?.destroy();
  }
}
