// Golden-file helper for the auth and firewall parser tests: parses every line of a fixture and
// compares with the committed `<fixture>.expected.json` (regenerate with UPDATE_GOLDEN=1, then
// review the diff).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function goldenLines(
  fixture: string,
  parse: (line: string) => Record<string, unknown> | undefined,
): { actual: unknown[]; expected: unknown[] } {
  const lines = readFileSync(fixture, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const actual = lines.map((line, i) => {
    const f = parse(line);
    return f ? { n: i + 1, match: true, ...f } : { n: i + 1, match: false };
  });
  const expectedFile = `${fixture}.expected.json`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, JSON.stringify(actual, null, 1) + '\n');
  if (!existsSync(expectedFile)) throw new Error(`${expectedFile} missing: run with UPDATE_GOLDEN=1 and review it`);
  return { actual, expected: JSON.parse(readFileSync(expectedFile, 'utf8')) as unknown[] };
}
