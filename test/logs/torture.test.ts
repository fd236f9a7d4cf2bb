// The rotation torture (bench/torture.mjs), short: the real exporter (dist/main.js), a writer at
// full speed, 16 rotations of every kind (rename with shifting, copytruncate, delete and recreate,
// dateext), 3 SIGKILLs at random points and 2 stops across two rotations: no scrape sees the count
// go down, and at the end the lines counted are the lines written, exactly. `npm run bench` runs
// the full one (100 rotations, 10 SIGKILLs).
import { describe, expect, it } from 'vitest';
import { torture } from '../../bench/torture.mjs';

describe('rotation torture', () => {
  it('counts every line exactly once through 16 rotations of mixed kinds, 3 SIGKILLs and 2 stops across two rotations', async () => {
    const f = await torture({ rotations: 16, kills: 3, stops: 2, seed: 7, batchLines: 100 });
    expect(f.kills).toBe(3);
    expect(f.stops).toBe(2);
    expect(Object.values(f.rotations).every((n) => n > 0)).toBe(true);
    expect(f.counted).toBe(f.written);
  }, 300_000);
});
