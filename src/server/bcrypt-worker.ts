// bcrypt compares off the event loop. bcryptjs is pure JavaScript: a cost-10 compare takes
// 100-300 ms of CPU and its async form still blocks the loop in chunks of up to 100 ms, so a stream
// of bad logins would stall every scrape. One worker thread, started at the first uncached login
// and unref'd while idle, does them instead; the main thread stays free for scrapes (and for cached logins,
// which never reach the worker). The queue is bounded: past MAX_PENDING the caller is told to back
// off instead of the backlog (and its memory) growing without end.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

export const MAX_PENDING = 32;

// Evaluated as a CommonJS worker, so that it runs the same from src/ (tsx) and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch { ok = false; }
  parentPort.postMessage({ id, ok });
});
`;

export class QueueFullError extends Error {
  constructor() {
    super('too many password checks in progress');
    this.name = 'QueueFullError';
  }
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (ok: boolean) => void; reject: (err: Error) => void }>();

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
  worker = undefined;
}

function getWorker(): Worker {
  if (worker) return worker;
  const bcryptPath = createRequire(import.meta.url).resolve('bcryptjs');
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
  w.unref();
  w.on('message', ({ id, ok }: { id: number; ok: boolean }) => {
    const p = pending.get(id);
    pending.delete(id);
    // Idle, the worker must not keep the process alive; busy, it must.
    if (pending.size === 0) w.unref();
    p?.resolve(ok);
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', (code) => {
    if (worker === w) failAll(new Error(`bcrypt worker exited with code ${code}`));
  });
  worker = w;
  return w;
}

/** Whether `password` matches the bcrypt `hash`; rejects with QueueFullError when overloaded. */
export function bcryptCompare(password: string, hash: string): Promise<boolean> {
  if (pending.size >= MAX_PENDING) return Promise.reject(new QueueFullError());
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const w = getWorker();
    w.ref();
    w.postMessage({ id, password, hash });
  });
}

/** Number of compares queued or running (for tests). */
export function bcryptPending(): number {
  return pending.size;
}
