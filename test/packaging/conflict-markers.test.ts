// No tracked file keeps the markers of an unresolved merge (one was found in README.md's command
// synopsis, where no other test looks). Binary files and the lock file are skipped.
import { expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');
const MARKER = /^(<{7}|={7}|>{7})( |$)/m;

it('no tracked text file has merge conflict markers', () => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && f !== 'package-lock.json');
  expect(files.length).toBeGreaterThan(100);
  const marked = files.filter((f) => {
    let text: string;
    try {
      text = readFileSync(path.join(REPO, f), 'utf8');
    } catch {
      return false; // listed but not checked out (a deleted file not yet committed)
    }
    return !text.includes('\0') && MARKER.test(text);
  });
  expect(marked).toEqual([]);
});
