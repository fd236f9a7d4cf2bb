// The `journal:` keys of a log (a contract): what they accept, and the error each mistake gives.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

const errorOf = (yaml: string): string => {
  try {
    parseConfigText(yaml, 'h.yml');
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

describe('logs[].journal', () => {
  it('reads the example of the issue, and the keys with their defaults', () => {
    const c = parseConfigText(`logs: [{name: auth, type: auth, journal: {directory: /var/log/journal, match: ["_COMM=sshd"]}}]`);
    expect(c.logs[0]).toMatchObject({ journal: { directory: '/var/log/journal', match: ['_COMM=sshd'] } });
    expect(c.logs[0].path).toBeUndefined();
    const d = parseConfigText(`logs: [{name: fw, type: firewall, path: /var/log/ufw.log, journal: {}}]`);
    expect(d.logs[0]).toMatchObject({ journal: { match: [] }, path: ['/var/log/ufw.log'] });
    const f = parseConfigText(
      `logs: [{name: fw, type: firewall, journal: {file: /tmp/x.journal, match: [SYSLOG_FACILITY=4, "+", _TRANSPORT=kernel]}}]`,
    );
    expect(f.logs[0].journal).toEqual({ file: ['/tmp/x.journal'], match: ['SYSLOG_FACILITY=4', '+', '_TRANSPORT=kernel'] });
  });

  it.each([
    [
      'neither path nor journal',
      `logs: [{name: a, type: auth}]`,
      'logs[0].path: a log reads files (path), the journal (journal), or both: give at least one',
    ],
    [
      'a match that is no FIELD=value',
      `logs: [{name: a, type: auth, journal: {match: ["sshd"]}}]`,
      'logs[0].journal.match[0]: must be FIELD=value',
    ],
    [
      'a lower-case field (journalctl would take it for a path)',
      `logs: [{name: a, type: auth, journal: {match: ["_comm=sshd"]}}]`,
      'logs[0].journal.match[0]:',
    ],
    ['an option smuggled in a match', `logs: [{name: a, type: auth, journal: {match: ["--output=short"]}}]`, 'logs[0].journal.match[0]:'],
    [
      '"+" at an end',
      `logs: [{name: a, type: auth, journal: {match: ["+", "_COMM=sshd"]}}]`,
      'logs[0].journal.match: "+" goes between two groups of matches',
    ],
    [
      'directory and file',
      `logs: [{name: a, type: auth, journal: {directory: /a, file: /b}}]`,
      'logs[0].journal.file: give directory or file, not both',
    ],
    ['an unknown key', `logs: [{name: a, type: auth, journal: {matches: []}}]`, 'logs[0].journal.matches: unknown key'],
  ])('%s: a clear error', (_what, yaml, message) => {
    expect(errorOf(yaml)).toContain(message);
  });
});
