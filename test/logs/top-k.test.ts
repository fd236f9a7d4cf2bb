// The generic top-K (Misra-Gries promotion) on its own: exactly-once under a flood of distinct keys,
// and what a restore keeps of a checkpoint written with other limits.
import { describe, expect, it } from 'vitest';
import { PROMOTE_AT, TopK, topKCapacity } from '../../src/logs/top-k.js';

describe('TopK', () => {
  it('under a flood of distinct keys, counts every event once and promotes only the repeated key', () => {
    const t = new TopK<number>(3, Number);
    let events = 0;
    for (let i = 0; i < 200_000; i++) {
      t.count(100_000 + i);
      events++;
      if (i % 10 === 0) {
        t.count(7);
        events++;
      }
    }
    const s = t.snapshot();
    expect(Object.keys(s.top)).toEqual(['7']);
    expect(s.candidates.length).toBeLessThanOrEqual(topKCapacity(3));
    expect(Object.values(s.top).reduce((a, b) => a + b, 0) + s.other).toBe(events);
  });

  it('a restored summary continues exactly like the one that never stopped', () => {
    const feed = (t: TopK<string>, from: number, to: number) => {
      for (let i = from; i < to; i++) t.count(i % 5 === 0 ? `hot${i % 3}` : `k${i}`);
    };
    const a = new TopK<string>(2, String);
    feed(a, 0, 5000);
    const b = new TopK<string>(2, String);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    feed(a, 5000, 9000);
    feed(b, 5000, 9000);
    expect(b.snapshot()).toEqual(a.snapshot());
  });

  it('keeps the most counted candidates of a checkpoint larger than its capacity, in their order; a key listed twice keeps its later count', () => {
    const t = new TopK<number>(1, Number);
    const cap = topKCapacity(1);
    const candidates: [number, number][] = [];
    for (let i = 0; i < cap + 10; i++) candidates.push([i, i < 10 ? 1 : 2]);
    candidates.push([5, 2]);
    t.restore({ top: {}, other: 0, candidates });
    const kept = t.snapshot().candidates;
    expect(kept.length).toBe(cap);
    expect(kept[0]).toEqual([5, 2]);
    expect(kept.slice(1).every(([k, v]) => k >= 10 && v === 2)).toBe(true);
    // The restored counters promote as they would have.
    for (let i = 0; i < PROMOTE_AT - 2; i++) t.count(5);
    expect(t.snapshot().top).toEqual({ 5: 1 });
  });
});
