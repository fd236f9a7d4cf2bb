import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/journal/backoff.js';

describe('Backoff', () => {
  it('doubles up to the maximum while the child keeps failing, and starts over after a healthy run', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 8000, healthyMs: 60_000 });
    expect([0, 10, 0, 5, 0, 0].map((ran) => b.next(ran))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(b.next(60_000)).toBe(1000);
    expect(b.next(100)).toBe(2000);
  });
});
