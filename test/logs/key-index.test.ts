// The hash table the bounded security tables find their slots with: it must agree with a Map
// through any sequence of additions and deletions (deletion by backward shift is where an open-
// addressing table goes wrong), for number and string keys, while it grows.
import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../src/logs/key-index.js';
import type { SlotKey } from '../../src/logs/security/slots.js';

/** A deterministic pseudo-random sequence (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

describe('KeyIndex', () => {
  it('agrees with a Map over 100,000 random additions and deletions of number and string keys', () => {
    const r = rng(7);
    const slots = 512;
    const index = new KeyIndex();
    index.reserve(slots);
    const model = new Map<SlotKey, number>();
    const free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
    // Few distinct keys, so that keys come back after their deletion, and runs of the table collide.
    const keyOf = (n: number): SlotKey => (n % 3 === 0 ? `k${n}` : n % 3 === 1 ? n * 2 ** 24 + 1 : -n);
    const wrong: string[] = [];
    for (let step = 0; step < 100_000; step++) {
      const key = keyOf(Math.floor(r() * 1500));
      const slot = model.get(key);
      if (index.get(key) !== (slot ?? -1)) wrong.push(`step ${step}: ${key} at ${index.get(key)}, not ${slot}`);
      if (slot !== undefined && r() < 0.6) {
        index.delete(slot);
        model.delete(key);
        free.push(slot);
      } else if (slot === undefined && free.length > 0) {
        const s = free.pop()!;
        index.set(key, s);
        model.set(key, s);
      }
      if (index.size !== model.size) wrong.push(`step ${step}: size ${index.size}, not ${model.size}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    for (const [key, slot] of model) {
      expect(index.get(key)).toBe(slot);
      expect(index.key(slot)).toBe(key);
    }
  });

  it('keeps its keys while it grows, and finds none after clear()', () => {
    const index = new KeyIndex<string>();
    for (let n = 0; n < 5000; n++) {
      if (n % 64 === 0) index.reserve(n + 64);
      index.set(`2001:db8::${n.toString(16)}`, n);
    }
    for (let n = 0; n < 5000; n++) expect(index.get(`2001:db8::${n.toString(16)}`)).toBe(n);
    expect(index.get('2001:db8::ffff')).toBe(-1);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get('2001:db8::1')).toBe(-1);
  });
});
