// What the engine must remember across restarts, so that a restart neither repeats an action nor
// forgets a cooldown: the firing alerts already handled (Alertmanager re-sends them at every
// repeat_interval), the last run of each command, and the runs of the last hour per action.
// Kept in <state dir>/remediation-state.json, rewritten atomically (temp file + rename) after each
// decision that changed it; every map is bounded, oldest entries dropped first.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MAX_ENTRIES = 10_000;
const HOUR_MS = 3_600_000;

/** A Map that forgets its oldest entries beyond MAX_ENTRIES; set() makes an entry the newest. */
class BoundedMap<V> extends Map<string, V> {
  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > MAX_ENTRIES) this.delete(this.keys().next().value!);
    return this;
  }
}

export class RemediationState {
  /** action + fingerprint -> startsAt of the firing alert handled. */
  readonly handled = new BoundedMap<string>();
  /** action + what ran (argv or built-in parameters) -> time of the last run. */
  readonly lastRun = new BoundedMap<number>();
  /** action -> times of the runs within the last hour. */
  readonly hourly = new BoundedMap<number[]>();
  readonly file: string;

  constructor(private readonly stateDir: string) {
    this.file = path.join(stateDir, 'remediation-state.json');
  }

  /** Loads the saved state; a missing or unreadable file starts empty (the problem is returned). */
  load(now: number): string | undefined {
    let raw: { handled?: [string, string][]; lastRun?: [string, number][]; hourly?: [string, number[]][] };
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8')) as typeof raw;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `${this.file}: ${(err as Error).message}; starting without it`;
    }
    for (const [k, v] of raw.handled ?? []) if (typeof v === 'string') this.handled.set(k, v);
    for (const [k, v] of raw.lastRun ?? []) if (typeof v === 'number') this.lastRun.set(k, v);
    for (const [k, v] of raw.hourly ?? [])
      if (Array.isArray(v))
        this.hourly.set(
          k,
          v.filter((t) => typeof t === 'number' && now - t < HOUR_MS),
        );
    return undefined;
  }

  save(): void {
    mkdirSync(this.stateDir, { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ handled: [...this.handled], lastRun: [...this.lastRun], hourly: [...this.hourly] }), {
      mode: 0o600,
    });
    renameSync(tmp, this.file);
  }
}
