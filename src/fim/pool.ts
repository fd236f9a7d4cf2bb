// Where a FIM scan's file-system work (worker.ts: listing and hashing) runs. The exporter uses worker
// threads in a piscina pool: a scan uses every core, and a slow or hung file system (a stale NFS
// mount) stalls a worker, never the thread that answers scrapes. A pool lives for one scan and is
// closed afterwards, so an idle exporter keeps no threads, and none start before a scan does.
// The one-shot commands (`hostwatch fim status`, `fim accept`) have no scrapes to answer: they run
// the same tasks on their own thread (InThreadPool), one at a time, without the worker threads'
// memory (a Node.js worker costs ~13 MB before its first task, ~16 MB at a scan's peak), so that
// a baseline written by `fim accept` peaks below `aide --init` on the same tree (bench/fim-memory.mjs).
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

/** What scan.ts needs of the place its tasks run. */
export interface ScanPool {
  /** Tasks that keep the pool busy (the scan sends a partial hash batch rather than leave one idle). */
  readonly size: number;
  /** Tasks that run at once: a scan keeps at most this many posted. */
  readonly capacity: number;
  walk(req: WalkRequest): Promise<WalkResult>;
  hash(files: HashFiles[], follow: boolean): Promise<HashResult>;
  /** Tasks not started yet fail with "worker pool closed". */
  close(): Promise<void>;
}

export class WorkerPool implements ScanPool {
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

/** The tasks of a scan run one at a time on the calling thread: for the one-shot commands (see the top). */
export class InThreadPool implements ScanPool {
  readonly size = 1;
  readonly capacity = 1;
  private closed = false;

  async walk(req: WalkRequest): Promise<WalkResult> {
    const tasks = await this.tasks();
    return tasks.walk(req);
  }

  async hash(files: HashFiles[], follow: boolean): Promise<HashResult> {
    const tasks = await this.tasks();
    return tasks.hash({ files, follow });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * worker.ts, imported on the first task (it holds a 1 MB read buffer that the exporter, which
   * never runs tasks on its own thread, should not have), after a turn of the event loop: progress
   * output and signals are not held up by a scan of many tasks.
   */
  private async tasks(): Promise<typeof import('./worker.js')> {
    const tasks = await import('./worker.js');
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.closed) throw new Error('worker pool closed');
    return tasks;
  }
}
