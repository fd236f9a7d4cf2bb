// Types of bench/torture.mjs for the test that runs a short torture (test/logs/torture.test.ts).
export interface TortureFigures {
  written: number;
  counted: number;
  kills: number;
  stops: number;
  /** Rotations done, by kind (rename, copytruncate, delete, dateext). */
  rotations: Record<string, number>;
  /** hostwatch_log_rotations_total at the end, all kinds. */
  seenRotations: number;
  seconds: number;
}

export interface TortureOptions {
  rotations?: number;
  kills?: number;
  stops?: number;
  seed?: number;
  batchLines?: number;
  say?: (s: string) => void;
  debugLog?: string;
}

export function torture(opts?: TortureOptions): Promise<TortureFigures>;
