// The line a handler without processRecord gets for a journal entry parses back, with the syslog
// header reader every log type uses, to the same record: time (to the microsecond), host, program,
// pid and message, whatever the local zone.
import { afterAll, describe, expect, it } from 'vitest';
import { syslogLine, type LogRecord } from '../../src/logs/record.js';
import { parseSyslog } from '../../src/logs/security/syslog.js';

const zone = process.env.TZ;
afterAll(() => {
  process.env.TZ = zone;
});

const REC: LogRecord = {
  timestamp: 1709460000123.456,
  host: 'web1',
  program: 'sshd',
  pid: '812',
  message: 'Failed password for root from 203.0.113.9 port 22 ssh2',
};

describe('syslogLine', () => {
  it.each(['UTC', 'Europe/Paris', 'America/St_Johns', 'Asia/Kolkata'])('round-trips through parseSyslog in %s', (tz) => {
    process.env.TZ = tz;
    const line = syslogLine(REC);
    expect(line).toMatch(/^2024-03-0[23]T\d{2}:\d{2}:00\.123456[+-]\d{2}:\d{2} web1 sshd\[812\]: Failed password/);
    const h = parseSyslog(line, REC.timestamp!)!;
    expect(h).toMatchObject({ host: 'web1', program: 'sshd', pid: '812', message: REC.message, timestamp: 1709460000123 });
  });

  it('writes the kernel tag without pid, and no stamp when the record has none', () => {
    process.env.TZ = 'UTC';
    expect(syslogLine({ timestamp: 1709460000000, host: 'gw', program: 'kernel', message: '[UFW BLOCK] IN=eth0 OUT=' })).toBe(
      '2024-03-03T10:00:00.000000+00:00 gw kernel: [UFW BLOCK] IN=eth0 OUT=',
    );
    expect(syslogLine({ program: 'x', message: 'm' })).toBe('localhost x: m');
  });
});
