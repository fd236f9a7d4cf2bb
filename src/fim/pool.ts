// A small pool of FIM worker threads (see worker-source.ts). A pool lives for one scan and is
// closed afterwards, so an idle exporter keeps no threads. Each worker takes up to two tasks at a
// time so that it never waits for the main thread between tasks.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { WORKER_SOURCE } from './worker-source.js';

export interface ListResult {
  abs: string;
  rel: string;
  names: string[];
  stats: Float64Array;
  targets: (string | null)[];
  dirError: number;
}

export interface WalkRequest {
  dirs: [abs: string, rel: string][];
  follow: boolean;
  /** Go on into subdirectories inside the worker (not when following links: loops are checked centrally). */
  descend: boolean;
  /** RegExp sources of the exclude globs: excluded directories are not entered. */
  exclude: string[];
  pseudo: string[];
  /** Entries to list before returning what is left as pending. */
  budget: number;
}

export interface WalkResult {
  results: ListResult[];
  pending: [abs: string, rel: string][];
}

export interface HashResult {
  hashes: (string | null)[];
  errors: number[];
  stats: Float64Array;
  bytes: number;
}

interface Pending {
  resolve: (v: never) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

type Task = ({ op: 'walk' } & WalkRequest) | { op: 'hash'; files: string[]; follow: boolean };

const PER_WORKER = 2;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: { task: Task; p: Pending }[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number, private readonly chunkSize = 1 << 20) {
    const n = size > 0 ? size : availableParallelism();
    for (let i = 0; i < n; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { chunkSize: this.chunkSize } });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (msg: { id: number }) => {
      const p = slot.pending.get(msg.id);
      slot.pending.delete(msg.id);
      p?.resolve(msg as never);
      this.pump();
    });
    const fail = (err: Error) => {
      // A crashed worker fails its tasks (reported as I/O errors by the scan) and is replaced.
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) {
        this.slots[i] = this.spawn();
        this.pump();
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`FIM worker exited with code ${code}`));
    });
    return slot;
  }

  walk(req: WalkRequest): Promise<WalkResult> {
    return this.run({ op: 'walk', ...req });
  }

  hash(files: string[], follow: boolean): Promise<HashResult> {
    return this.run({ op: 'hash', files, follow });
  }

  private run<T>(task: Task): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ task, p: { resolve: resolve as (v: never) => void, reject } });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.pending.size < PER_WORKER && (!best || s.pending.size < best.pending.size)) best = s;
      if (!best) return;
      const { task, p } = this.queue.shift()!;
      const id = this.nextId++;
      best.pending.set(id, p);
      best.worker.postMessage({ ...task, id });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('worker pool closed');
    for (const q of this.queue.splice(0)) q.p.reject(err);
    await Promise.all(
      this.slots.map(async (s) => {
        for (const p of s.pending.values()) p.reject(err);
        s.pending.clear();
        await s.worker.terminate();
      }),
    );
  }
}
