// The per-source detectors and the bounded tables under them, on their own, with explicit times:
// thresholds, windows, crossings, the top-sources summary, and the memory cap under a flood of
// 1,000,000 distinct sources.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BruteForceDetector, sourcesOverThreshold } from '../../../src/logs/security/bruteforce.js';
import { LruSlots } from '../../../src/logs/security/slots.js';
import { sourceKey, sourceText } from '../../../src/logs/security/source-key.js';
import { TopSources, topCapacity, topSources } from '../../../src/logs/security/top-sources.js';
import { PortScanDetector, scanningSources } from '../../../src/logs/security/portscan.js';

const ip = (i: number) => `${(i >>> 24) & 255}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

describe('LruSlots', () => {
  it('evicts the least recently used key beyond capacity and reuses its slot', () => {
    const sizes: number[] = [];
    const m = new LruSlots<string>(2, (n) => sizes.push(n));
    const a = m.add('a');
    const b = m.add('b');
    m.touch(a);
    const c = m.add('c');
    expect(c).toBe(b);
    const order: string[] = [];
    m.forEach((s) => order.push(m.key(s)));
    expect(order).toEqual(['a', 'c']);
    expect(m.find('b')).toBe(-1);
    expect(m.evictions).toBe(1);
    expect(sizes).toEqual([2]);
  });

  it('removed slots are reused before new ones, and the recency list stays consistent', () => {
    const m = new LruSlots<number>(100, () => {});
    for (let i = 0; i < 10; i++) m.add(i);
    m.remove(m.find(3));
    m.remove(m.find(0));
    expect(m.oldestSlot).toBe(m.find(1));
    const s = m.add(42);
    expect(s === 0 || s === 3).toBe(true);
    const order: number[] = [];
    m.forEach((x) => order.push(m.key(x)));
    expect(order).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 42]);
    expect(m.size).toBe(9);
  });
});

describe('sourceKey', () => {
  it('canonical IPv4 addresses become numbers and come back as the same text', () => {
    for (const a of ['0.0.0.0', '1.2.3.4', '203.0.113.9', '255.255.255.255', '128.0.0.1']) {
      expect(typeof sourceKey(a)).toBe('number');
      expect(sourceText(sourceKey(a))).toBe(a);
    }
  });

  it('IPv6 addresses as sshd (RFC 5952) and the kernel (%pI6) write them become 9-character keys, and come back as the same text', () => {
    for (const a of [
      '::',
      '::1',
      '1::',
      '2001:db8::1',
      '2001:db8::1:0:0:1',
      'fe80::abcd:ef01',
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]) {
      const k = sourceKey(a);
      expect(typeof k === 'string' && k.length).toBe(9);
      expect(sourceText(k)).toBe(a);
    }
    // The two spellings of one address are two keys, as they are two texts.
    expect(sourceKey('2001:db8::1')).not.toBe(sourceKey('2001:0db8:0000:0000:0000:0000:0000:0001'));
    // A source cut from a line gives a key of its own (9 characters, not the slice of the line).
    const line = 'Failed password for root from 2001:db8:85a3::8a2e:370:7334 port 22 ssh2';
    const at = line.indexOf('2001');
    const key = sourceKey(line.slice(at, line.indexOf(' ', at)));
    expect((key as string).length).toBe(9);
    expect(sourceText(key)).toBe('2001:db8:85a3::8a2e:370:7334');
  });

  it('anything else stays its text (leading zeros, other IPv6 spellings, zones, names, out-of-range parts)', () => {
    const others = ['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', 'host.example', '1.2.3.4 ', ''];
    others.push(
      '2001:DB8::1',
      '2001:db8:0:0:0:0:0:1',
      '0:0::1',
      'fe80::1%eth0',
      '::ffff:192.0.2.1',
      '1:::2',
      ':::',
      '1:2:3:4:5:6:7:8:9',
      '12345::1',
    );
    for (const a of others) {
      expect(sourceKey(a)).toBe(a);
      expect(sourceText(sourceKey(a))).toBe(a);
    }
  });

  it('a text that could pass for a key of an address is kept apart from it', () => {
    const v6 = sourceKey('2001:db8::1') as string;
    for (const a of [v6, `\u0001${v6}`, '\u0001', '\u0002abcdefgh']) {
      expect(sourceKey(a)).not.toBe(v6);
      expect(sourceText(sourceKey(a))).toBe(a);
    }
  });
});

describe('TopSources (Space-Saving)', () => {
  it('counts exactly while it holds every source', () => {
    const t = new TopSources(topCapacity(2));
    for (const [s, n] of [
      ['a', 5],
      ['b', 3],
      ['c', 1],
      ['a', 1],
    ] as const)
      t.add(sourceKey(s), n);
    expect(topSources(t.snapshot(), 2)).toEqual([
      ['a', 6],
      ['b', 3],
    ]);
    expect(topSources(t.snapshot(), 0)).toEqual([]);
  });

  it('keeps a heavy source among 1,000,000 distinct ones in bounded memory, with its exact count since it entered', () => {
    const t = new TopSources(topCapacity(10));
    const heavy = sourceKey('9.9.9.9');
    for (let i = 0; i < 1_000_000; i++) {
      t.add(sourceKey(ip(i)), 1);
      if (i % 10 === 0) t.add(heavy, 1);
    }
    const snap = t.snapshot();
    expect(snap.sources.length).toBe(topCapacity(10));
    const [first] = topSources(snap, 1);
    expect(first[0]).toBe('9.9.9.9');
    expect(first[1]).toBe(100_000);
  });

  it('restores its snapshot exactly, and keeps the most counted with a smaller capacity', () => {
    const t = new TopSources(64);
    for (let i = 0; i < 100; i++) t.add(sourceKey(ip(i)), (i % 7) + 1);
    const snap = JSON.parse(JSON.stringify(t.snapshot()));
    const r = new TopSources(64);
    r.restore(snap);
    expect(r.snapshot()).toEqual(t.snapshot());
    const small = new TopSources(3);
    small.restore(snap);
    expect(small.snapshot().counts.every((c) => c >= 7)).toBe(true);
  });
});

describe('BruteForceDetector', () => {
  const opts = { threshold: 4, window: 10_000, maxSources: 100 };

  it('crosses exactly at the threshold-th failure inside the window, once', () => {
    const d = new BruteForceDetector(opts);
    expect([0, 1000, 2000].map((t) => d.record('a', t))).toEqual([false, false, false]);
    expect(d.record('a', 3000)).toBe(true);
    expect(d.record('a', 4000)).toBe(false);
    expect(d.record('a', 9000)).toBe(false);
  });

  it('the window boundary: failures exactly `window` apart are still inside', () => {
    const d = new BruteForceDetector(opts);
    for (const t of [0, 5000, 9000]) d.record('a', t);
    expect(d.record('a', 10_000)).toBe(true);
    const e = new BruteForceDetector(opts);
    for (const t of [0, 5000, 9000]) e.record('b', t);
    expect(e.record('b', 10_001)).toBe(false);
  });

  it('crosses again after falling below the threshold', () => {
    const d = new BruteForceDetector(opts);
    const crossings = [0, 1, 2, 3, 100_000, 100_001, 100_002, 100_003].filter((t) => d.record('a', t)).length;
    expect(crossings).toBe(2);
  });

  it('n failures at once (folded repeats) count as n, with bounded memory', () => {
    const d = new BruteForceDetector(opts);
    expect(d.record('a', 0, 1_000_000_000)).toBe(true);
    const snap = d.snapshot();
    expect(snap.counts).toEqual([opts.threshold]);
    expect(snap.ages.length).toBe(opts.threshold);
  });

  it('clamps times going backwards per source instead of corrupting the window', () => {
    const d = new BruteForceDetector(opts);
    for (const t of [50_000, 51_000, 1000]) d.record('a', t);
    expect(d.record('a', 52_000)).toBe(true);
  });

  it('evaluates "currently over" at a given now, from a snapshot', () => {
    const d = new BruteForceDetector(opts);
    for (const t of [0, 1000, 2000, 3000]) d.record('a', t);
    for (const t of [0, 1000]) d.record('b', t);
    const snap = d.snapshot();
    expect(sourcesOverThreshold(snap, 3000, 4, 10_000)).toBe(1);
    expect(sourcesOverThreshold(snap, 10_000, 4, 10_000)).toBe(1);
    expect(sourcesOverThreshold(snap, 10_001, 4, 10_000)).toBe(0);
  });

  it('forgets a source whose window expired before a newer failure, once it is the least recently failing', () => {
    const d = new BruteForceDetector(opts);
    d.record('old', 0);
    d.record('new', 5000);
    expect(d.size).toBe(2);
    d.record('new', 10_001);
    expect(d.snapshot().sources).toEqual(['new']);
  });

  it('keeps at most maxSources under a flood of 1,000,000 distinct sources, and still detects', () => {
    const d = new BruteForceDetector({ threshold: 3, window: 60_000, maxSources: 1000 });
    for (let i = 0; i < 1_000_000; i++) {
      d.record(ip(i), i);
      if (d.size > 1000) throw new Error(`size ${d.size}`);
    }
    expect(d.size).toBe(1000);
    // A real attacker in the flood, recently active, is still detected.
    d.record('9.9.9.9', 1_000_000);
    d.record('9.9.9.9', 1_000_001);
    expect(d.record('9.9.9.9', 1_000_002)).toBe(true);
    expect(d.snapshot().sources.length).toBe(1000);
  });

  it('restores the same state (and LRU order) from its JSON snapshot', () => {
    const d = new BruteForceDetector({ ...opts, maxSources: 2 });
    d.record('a', 0);
    d.record('b', 0);
    d.record('a', 1);
    const r = new BruteForceDetector({ ...opts, maxSources: 2 });
    r.restore(JSON.parse(JSON.stringify(d.snapshot())));
    expect(r.snapshot()).toEqual(d.snapshot());
    r.record('c', 2); // evicts b, the least recently used
    expect(r.snapshot().sources).toEqual(['a', 'c']);
    expect(r.size).toBe(2);
  });
});

describe('PortScanDetector', () => {
  const opts = { distinctPorts: 5, window: 60_000, maxSources: 100 };

  it('crosses at the N-th distinct port within the window, once; repeated ports do not count', () => {
    const d = new PortScanDetector(opts);
    const hits = [22, 22, 22, 80, 80, 443, 3389].map((p, i) => d.record('s', p, i * 1000));
    expect(hits.some(Boolean)).toBe(false);
    expect(d.record('s', 8080, 8000)).toBe(true);
    expect(d.record('s', 8081, 9000)).toBe(false);
    expect(d.record('s', 22, 10_000)).toBe(false);
  });

  it('ports older than the window fall out; a slow scan is not a scan', () => {
    const d = new PortScanDetector(opts);
    const slow = Array.from({ length: 50 }, (_, i) => d.record('s', 1000 + i, i * 20_000));
    expect(slow.some(Boolean)).toBe(false);
  });

  it('crosses again after the window empties', () => {
    const d = new PortScanDetector(opts);
    let crossings = 0;
    for (let i = 0; i < 5; i++) if (d.record('s', i + 1, i)) crossings++;
    for (let i = 0; i < 5; i++) if (d.record('s', i + 100, 200_000 + i)) crossings++;
    expect(crossings).toBe(2);
  });

  it('bounds the ports kept per source to distinctPorts, and the sources to maxSources', () => {
    const d = new PortScanDetector({ ...opts, maxSources: 1000 });
    for (let p = 1; p <= 65535; p++) d.record('full-scan', p, p);
    expect(d.snapshot().ports.length).toBe(5);
    expect(d.snapshot().ports).toEqual([65531, 65532, 65533, 65534, 65535]);
    for (let i = 0; i < 1_000_000; i++) d.record(ip(i), i & 65535, 70_000 + i);
    expect(d.size).toBe(1000);
  });

  it('evaluates scanning sources at a given now, from a snapshot', () => {
    const d = new PortScanDetector(opts);
    for (let i = 0; i < 5; i++) d.record('s', i + 1, 1000 * i);
    const snap = JSON.parse(JSON.stringify(d.snapshot()));
    expect(scanningSources(snap, 4000, 5, 60_000)).toBe(1);
    expect(scanningSources(snap, 60_000, 5, 60_000)).toBe(1);
    expect(scanningSources(snap, 60_001, 5, 60_000)).toBe(0);
    const r = new PortScanDetector(opts);
    r.restore(snap);
    expect(r.snapshot()).toEqual(d.snapshot());
    expect(r.record('s', 6, 5000)).toBe(false); // still the same crossing after restore
  });
});

describe('the metrics view of the detectors (what stays published between checkpoints)', () => {
  // Events: [source 0-7, port 1-12, time s]; checked at times before, inside and after the windows.
  const events = fc.array(fc.tuple(fc.nat(7), fc.integer({ min: 1, max: 12 }), fc.nat(120)), { maxLength: 80 });
  const nows = [0, 30, 60, 90, 120, 150, 200].map((s) => s * 1000);

  it('brute force: only the sources at the threshold, and the same count of sources over it at any time', () => {
    fc.assert(
      fc.property(events, (evs) => {
        const d = new BruteForceDetector({ threshold: 4, window: 60_000, maxSources: 100 });
        for (const [s, , t] of evs) d.record(ip(s), t * 1000);
        const snap = d.snapshot();
        const view = d.metricsView(snap);
        expect(view.sources).toEqual(snap.sources.filter((_, i) => snap.counts[i] >= 4));
        for (const now of nows) expect(sourcesOverThreshold(view, now, 4, 60_000)).toBe(sourcesOverThreshold(snap, now, 4, 60_000));
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('port scan: the same, each time still with its port', () => {
    fc.assert(
      fc.property(events, (evs) => {
        const d = new PortScanDetector({ distinctPorts: 5, window: 60_000, maxSources: 100 });
        for (const [s, port, t] of evs) d.record(ip(s), port, t * 1000);
        const snap = d.snapshot();
        const view = d.metricsView(snap);
        const pairs = (w: typeof snap) => {
          const out: string[] = [];
          for (let i = 0, k = 0; i < w.counts.length; k += w.counts[i], i++)
            for (let j = k; j < k + w.counts[i]; j++) out.push(`${w.sources[i]}:${w.ports[j]}@${w.at - w.ages[j]}`);
          return out;
        };
        const kept = new Set(snap.sources.filter((_, i) => snap.counts[i] >= 5));
        expect(pairs(view)).toEqual(pairs(snap).filter((p) => kept.has(p.slice(0, p.indexOf(':')))));
        for (const now of nows) expect(scanningSources(view, now, 5, 60_000)).toBe(scanningSources(snap, now, 5, 60_000));
      }),
      { seed: 12, numRuns: 200 },
    );
  });
});
