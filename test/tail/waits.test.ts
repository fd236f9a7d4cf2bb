// The waits of the tailer (a torn listing, a .gz gzip may still be writing, a short file's copy not
// decidable yet): within the wait from the first look, then acted upon once, then waited again.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Waits } from '../../src/tail/waits.js';

describe('Waits', () => {
  it('waits from the first look, lets the state be acted upon once past the wait, then waits anew', () => {
    const clock = new ManualClock();
    const w = new Waits(clock, 5000);
    expect(w.stillWaiting('a')).toBe(true);
    clock.advance(4999);
    expect(w.stillWaiting('a')).toBe(true);
    expect(w.stillWaiting('b')).toBe(true); // each key from its own first look
    clock.advance(1);
    expect(w.stillWaiting('a')).toBe(false);
    expect(w.stillWaiting('a')).toBe(true); // a state that lasts: acted upon once per wait
    expect(w.stillWaiting('b')).toBe(true);
  });

  it('a state cleared starts its wait again at its next look', () => {
    const clock = new ManualClock();
    const w = new Waits(clock, 5000);
    w.stillWaiting('a');
    clock.advance(4000);
    w.clear('a');
    clock.advance(4000);
    expect(w.stillWaiting('a')).toBe(true);
    clock.advance(4999);
    expect(w.stillWaiting('a')).toBe(true);
  });
});
