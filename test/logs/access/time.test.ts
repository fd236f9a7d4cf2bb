import { describe, expect, it } from 'vitest';
import { parseAnyTime, parseDecimal, parseIso8601, parseTimeLocal, parseUint, parseUpstreamTimes } from '../../../src/logs/access/time.js';

/** The function applied to the whole of a text, as the bytes of a line. */
const whole = (f: (b: Uint8Array, s: number, e: number) => number) => (text: string) => {
  const b = Buffer.from(text);
  return f(b, 0, b.length);
};

describe('parseTimeLocal', () => {
  const p = whole(parseTimeLocal);
  it('matches Date.parse on every month, zones on both sides of UTC and leap days', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    months.forEach((mon, i) => {
      const mm = String(i + 1).padStart(2, '0');
      for (const [zone, iso] of [
        ['+0000', 'Z'],
        ['-0700', '-07:00'],
        ['+0530', '+05:30'],
      ]) {
        expect(p(`28/${mon}/2023:23:59:07 ${zone}`)).toBe(Date.parse(`2023-${mm}-28T23:59:07${iso}`));
      }
    });
    expect(p('29/Feb/2024:00:00:00 +0000')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(p('01/Jan/1970:00:00:00 +0000')).toBe(0);
    expect(p('10/Oct/2000:13:55:36 -0700')).toBe(Date.parse('2000-10-10T20:55:36Z'));
  });
  it('rejects malformed values', () => {
    for (const bad of [
      '10/Oct/2000:13:55:36',
      '10/Foo/2000:13:55:36 -0700',
      '1O/Oct/2000:13:55:36 -0700',
      '10/Oct/2000:25:55:36 -0700',
      '10/Oct/2000:13:55:36 0700',
      '-',
      '',
    ]) {
      expect(p(bad)).toBeNaN();
    }
  });
});

describe('parseIso8601', () => {
  const p = whole(parseIso8601);
  it.each([
    ['2024-03-05T13:20:01Z', '2024-03-05T13:20:01.000Z'],
    ['2024-03-05T14:20:01+01:00', '2024-03-05T13:20:01.000Z'],
    ['2024-03-05T14:20:01+0100', '2024-03-05T13:20:01.000Z'],
    ['2024-03-05T13:20:01.123456789Z', '2024-03-05T13:20:01.123Z'],
    ['2024-03-05T13:20:01.5-02:00', '2024-03-05T15:20:01.500Z'],
    ['2024-03-05 13:20:01', '2024-03-05T13:20:01.000Z'],
    ['2024-03-05T13:20:01,250Z', '2024-03-05T13:20:01.250Z'],
  ])('%s', (text, iso) => {
    expect(new Date(p(text)).toISOString()).toBe(iso);
  });
  it('rejects malformed values', () => {
    for (const bad of ['2024-03-05', '2024-03-05T13:20', '2024-13-05T13:20:01Z', '2024-03-05T13:20:01.Z', '2024-03-05T13:20:01+1', 'x'])
      expect(p(bad)).toBeNaN();
  });
});

describe('numbers', () => {
  it('parseDecimal keeps exact decimal values', () => {
    const p = whole(parseDecimal);
    expect(p('0.012')).toBe(0.012);
    expect(p('1.502')).toBe(1.502);
    expect(p('60.003')).toBe(60.003);
    expect(p('12')).toBe(12);
    expect(p('.5')).toBe(0.5);
    for (const bad of ['-', '', '.', '1.2.3', '1e3', '-1', ' 1']) expect(p(bad)).toBeNaN();
  });
  it('parseUint', () => {
    expect(whole(parseUint)('10485760')).toBe(10485760);
    expect(whole(parseUint)('12a')).toBeNaN();
    expect(whole(parseUint)('')).toBeNaN();
  });
  it('parseUpstreamTimes sums every upstream tried and ignores "-"', () => {
    const p = whole(parseUpstreamTimes);
    expect(p('0.012')).toBe(0.012);
    expect(p('0.500, 1.001')).toBeCloseTo(1.501, 9);
    expect(p('60.002 : 0.001')).toBeCloseTo(60.003, 9);
    expect(p('-, 0.004')).toBe(0.004);
    expect(p('-')).toBeNaN();
    expect(p('-, -')).toBeNaN();
    expect(p('abc')).toBeNaN();
  });
  it('parseAnyTime takes ISO 8601, time_local and epoch seconds', () => {
    const parseAny = whole(parseAnyTime);
    expect(parseAny('2024-03-05T13:20:01Z')).toBe(Date.parse('2024-03-05T13:20:01Z'));
    expect(parseAny('05/Mar/2024:14:20:01 +0100')).toBe(Date.parse('2024-03-05T13:20:01Z'));
    expect(parseAny('1709650000.123')).toBe(1709650000123);
    expect(parseAny('yesterday')).toBeNaN();
  });
});
