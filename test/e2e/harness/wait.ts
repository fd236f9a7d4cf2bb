// Polling with a deadline that fails loudly: the error says what was awaited, for how long, the
// last observed value and whatever diagnostics the caller adds (process output tails, webhook log).

export interface WaitOptions {
  /** What is awaited, in words, for the error message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Extra context appended to the error (called only on failure). */
  diagnostics?: () => string | Promise<string>;
  /** Returns a reason when waiting longer is pointless (e.g. the process exited): fails at once. */
  giveUp?: () => string | undefined;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `probe` until it returns a value other than undefined/false, and returns that value.
 * A probe that throws counts as "not yet" (e.g. a server not listening yet); its last error is
 * reported on timeout.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, opts: WaitOptions): Promise<T> {
  const start = Date.now();
  const interval = opts.intervalMs ?? 250;
  let last: unknown = undefined;
  let lastError: unknown;
  let gaveUp: string | undefined;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
      last = v;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    gaveUp = opts.giveUp?.();
    if (gaveUp !== undefined || Date.now() - start >= opts.timeoutMs) break;
    await delay(interval);
  }
  let msg =
    gaveUp !== undefined
      ? `gave up waiting for ${opts.what} after ${Date.now() - start} ms: ${gaveUp}`
      : `timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`;
  if (lastError !== undefined) msg += `\nlast error: ${(lastError as Error)?.message ?? String(lastError)}`;
  else msg += `\nlast value: ${JSON.stringify(last)}`;
  if (opts.diagnostics) {
    try {
      msg += `\n${await opts.diagnostics()}`;
    } catch (err) {
      msg += `\n(diagnostics failed: ${(err as Error).message})`;
    }
  }
  throw new Error(msg);
}

/** GET a URL and return the body when the status is 2xx, else throw (for readiness probes). */
export async function httpOk(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  const body = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${body.slice(0, 200)}`);
  return body;
}
