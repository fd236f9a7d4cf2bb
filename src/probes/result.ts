// What one probe produces, and the bookkeeping of a probe in progress: the phases it went through
// (timed with the monotonic clock), the details it learnt on the way (status code, certificate
// expiry, answer counts), and why it failed. The phase names are blackbox_exporter's HTTP phases;
// each type uses the ones that apply (see README "Probes").

export const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Why a probe failed: a small fixed set (the `reason` label). A network error is named after the
 * phase it interrupted (resolve, connect, tls; `read` once connected), a failed check after the check.
 */
export const FAILURE_REASONS = [
  'timeout',
  'resolve',
  'connect',
  'tls',
  'read',
  'redirects',
  'status_code',
  'body_regexp',
  'body_too_large',
  'expect',
  'rcode',
  'answer_rrs',
  'authority_rrs',
  'additional_rrs',
  'no_reply',
  'not_permitted',
  'no_ping_binary',
  'error',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

const TLS_ERROR = /^ERR_SSL_|^ERR_TLS_|CERT|UNABLE_TO_|SELF_SIGNED|^HOSTNAME_MISMATCH$/;

/** A failed check or an error with its reason; any other error is classified by the phase it interrupted. */
export class ProbeError extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

export interface ProbeDetails {
  /** 4 or 6: the address family the probe used. */
  ipProtocol?: 4 | 6;
  /** HTTP status of the last response (after redirects). */
  httpStatus?: number;
  httpRedirects?: number;
  /** Earliest notAfter of the certificates the server presented, seconds since the epoch. */
  certExpiry?: number;
  dnsAnswerRrs?: number;
  dnsAuthorityRrs?: number;
  dnsAdditionalRrs?: number;
}

export interface ProbeResult extends ProbeDetails {
  success: boolean;
  /** Seconds spent in each phase the probe went through. */
  phases: Partial<Record<Phase, number>>;
  /** Seconds from start to end. */
  duration: number;
  failure?: FailureReason;
  /** Human-readable cause of the failure, for the log. */
  message?: string;
  /** When the probe ended, ms since the epoch. */
  at: number;
}

/** A probe in progress: probers end phases as they go and record details; the runner builds the result. */
export class ProbeRun {
  readonly phases: Partial<Record<Phase, number>> = {};
  readonly details: ProbeDetails = {};
  private readonly started = process.hrtime.bigint();
  private last = this.started;
  /** The phase in progress: what an error interrupts. */
  current: Phase = 'resolve';

  constructor(readonly signal: AbortSignal) {}

  /** Ends `phase` now (adding to it: redirects go through the phases again) and starts `next`. */
  end(phase: Phase, next?: Phase): void {
    const t = process.hrtime.bigint();
    this.phases[phase] = (this.phases[phase] ?? 0) + Number(t - this.last) / 1e9;
    this.last = t;
    if (next) this.current = next;
  }

  /** Starts timing `phase` from now (time since the last end counts in no phase). */
  begin(phase: Phase): void {
    this.last = process.hrtime.bigint();
    this.current = phase;
  }

  elapsed(): number {
    return Number(process.hrtime.bigint() - this.started) / 1e9;
  }

  /** The reason of an error, from its type or the phase it interrupted. */
  reasonOf(err: unknown): FailureReason {
    if (this.signal.aborted) return 'timeout';
    if (err instanceof ProbeError) return err.reason;
    // A refused certificate, or a TLS alert from the server (a client certificate it refuses, sent
    // after the handshake in TLS 1.3), is a TLS failure whatever the phase.
    const code = String((err as NodeJS.ErrnoException | undefined)?.code ?? '');
    if (TLS_ERROR.test(code)) return 'tls';
    switch (this.current) {
      case 'resolve':
      case 'connect':
      case 'tls':
        return this.current;
      default:
        return 'read';
    }
  }

  succeeded(at: number): ProbeResult {
    return { ...this.details, success: true, phases: this.phases, duration: this.elapsed(), at };
  }

  failed(err: unknown, at: number): ProbeResult {
    const failure = this.reasonOf(err);
    const message = failure === 'timeout' ? `timed out during ${this.current}` : ((err as Error)?.message ?? String(err));
    return { ...this.details, success: false, phases: this.phases, duration: this.elapsed(), failure, message, at };
  }
}

/** Rejects when `signal` aborts: for awaits that take no signal themselves (dns.lookup). */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
