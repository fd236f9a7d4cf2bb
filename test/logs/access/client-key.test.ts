// Clients counted by key: a canonical dotted quad as a number read from the line's bytes, any other
// address as its text. The keys must be invisible: the same series, labels and checkpoints as when
// every address was decoded to a string, and checkpoints written before restore into them.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { clientKey, clientText, ipv4Number } from '../../../src/logs/access/client-key.js';
import type { AccessLogConfig } from '../../../src/logs/access/config.js';
import { AccessHandler } from '../../../src/logs/access/handler.js';
import type { AccessState } from '../../../src/logs/access/state.js';

const handler = (log: Record<string, unknown> = {}) =>
  new AccessHandler({
    config: parseConfig({ logs: [{ name: 'web', type: 'access', path: '/x', ...log }] }).logs[0] as AccessLogConfig,
    clock: new ManualClock(),
    logger: silentLogger,
    registry: new Registry(),
  });
const combinedLine = (addr: string) => `${addr} - - [05/Mar/2024:14:20:01 +0100] "GET /a/b HTTP/1.1" 200 12 "-" "curl/8.4.0"`;
const v4 = (text: string) => ipv4Number(Buffer.from(text), 0, Buffer.byteLength(text));

describe('client keys', () => {
  it('a canonical dotted quad is a number that gives back the same text', () => {
    for (const a of ['0.0.0.0', '1.2.3.4', '10.0.0.1', '192.0.2.255', '255.255.255.255', '100.64.9.99']) {
      expect(v4(a)).toBeGreaterThanOrEqual(0);
      expect(clientText(v4(a))).toBe(a);
      expect(clientKey(a)).toBe(v4(a));
    }
    expect(v4('1.2.3.4')).toBe(0x01020304);
    expect(v4('255.255.255.255')).toBe(0xffffffff);
  });

  it('any other form stays text (a number would not give back what the log wrote)', () => {
    for (const a of [
      '',
      '-',
      '01.2.3.4',
      '1.2.3.04',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1.2.3.4 ',
      '1..2.3',
      '1.2.3.',
      '.1.2.3',
      '1.2.3.4:80',
      '1234.1.1.1',
      '::1',
      '::ffff:1.2.3.4',
      'host.example',
      '１.2.3.4',
    ]) {
      expect({ a, n: v4(a) }).toEqual({ a, n: -1 });
      expect(clientKey(a)).toBe(a);
    }
  });

  it('counting by key gives the very state counting by text gave (the trusted-proxies path still decodes every address)', () => {
    const keyed = handler({ top_clients: 5 });
    const text = handler({ top_clients: 5, trusted_proxies: ['192.0.2.250'] });
    const addrs = [
      '198.51.100.1',
      '198.51.100.2',
      '::ffff:198.51.100.1',
      '2001:db8::7',
      '010.0.0.1',
      '-',
      'crawler.example',
      '203.0.113.9',
    ];
    for (let i = 0; i < 5000; i++) {
      // Mostly distinct addresses (decrement rounds) with a few heavy ones.
      const addr = i % 4 === 0 ? addrs[(i >> 2) % addrs.length] : `10.${(i * 7) % 256}.${(i * 13) % 256}.${i % 256}`;
      keyed.processLine(combinedLine(addr));
      text.processLine(combinedLine(addr));
    }
    const s = keyed.snapshot();
    expect(s).toEqual(text.snapshot());
    expect(Object.keys(s.clients!.top)).toContain('198.51.100.1'); // the mapped form counted with the plain one
    expect(Object.keys(s.clients!.top)).toContain('010.0.0.1');
    expect(s.clients!.candidates.every(([k]) => typeof k === 'string')).toBe(true);
  });

  it('a checkpoint that holds addresses as text restores into keys and goes on counting them', () => {
    const h = handler({ top_clients: 5 });
    const s = JSON.parse(JSON.stringify(h.snapshot())) as AccessState;
    s.clients = {
      top: { '198.51.100.1': 5, '2001:db8::1': 2 },
      other: 7,
      candidates: [
        ['198.51.100.2', 2],
        ['01.2.3.4', 1],
      ],
    };
    h.restore(s);
    for (const a of ['198.51.100.1', '198.51.100.2', '2001:db8::1', '01.2.3.4']) h.processLine(combinedLine(a));
    expect(h.snapshot().clients).toEqual({
      top: { '198.51.100.1': 6, '2001:db8::1': 3, '198.51.100.2': 1 },
      other: 8,
      candidates: [['01.2.3.4', 2]],
    });
  });
});
