// JsonLines: journalctl's output split into lines whatever the chunking, in bounded memory; an
// over-long line is skipped as it streams by, its cursor picked up on the way.
import { describe, expect, it } from 'vitest';
import { JsonLines } from '../../src/journal/lines.js';

const CURSOR = 's=af5c8f6d91994ce3887ab8c673484b03;i=2a;b=0123456789abcdef0123456789abcdef;m=7d0;t=612beac1e0a40;x=8162066413ef02ee';

function collect(cap: number) {
  const got: { lines: string[]; overlong: (string | undefined)[]; maxPending: number } = { lines: [], overlong: [], maxPending: 0 };
  const jl = new JsonLines(cap, { line: (t) => got.lines.push(t), overlong: (c) => got.overlong.push(c) });
  const push = (chunk: string | Buffer) => {
    jl.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    got.maxPending = Math.max(got.maxPending, jl.pending);
  };
  return { got, push, jl };
}

/** Feeds `text` in chunks of `size` bytes. */
function feed(push: (c: Buffer) => void, text: string, size: number): void {
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) push(buf.subarray(i, i + size));
}

describe('JsonLines', () => {
  it('gives the same lines whatever the chunk size, multi-byte characters split or not', () => {
    const text = '{"MESSAGE":"café ☃"}\n{"a":1}\n\n{"b":"ü"}\n';
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const { got, push } = collect(1000);
      feed(push, text, size);
      expect(got.lines).toEqual(['{"MESSAGE":"café ☃"}', '{"a":1}', '{"b":"ü"}']);
    }
  });

  it('keeps a partial line until its newline, and drops it on reset', () => {
    const { got, push, jl } = collect(1000);
    push('{"a":1}\n{"b":');
    expect(got.lines).toEqual(['{"a":1}']);
    expect(jl.pending).toBe(5);
    jl.reset();
    push('2}\n{"c":3}\n');
    expect(got.lines).toEqual(['{"a":1}', '2}', '{"c":3}']);
  });

  it('skips a line over the cap and reports the cursor found in it, whatever the chunking', () => {
    const long = `{"MESSAGE":"${'x'.repeat(5000)}","__CURSOR":"${CURSOR}","_PID":"1"}`;
    for (const size of [1, 13, 100, 4096, 100_000]) {
      const { got, push } = collect(1000);
      feed(push, `{"a":1}\n${long}\n{"b":2}\n`, size);
      expect(got.lines).toEqual(['{"a":1}', '{"b":2}']);
      expect(got.overlong).toEqual([CURSOR]);
      expect(got.maxPending).toBeLessThanOrEqual(1000);
    }
  });

  it('finds the cursor at the start of the line too', () => {
    const { got, push } = collect(100);
    push(`{"__CURSOR":"${CURSOR}","MESSAGE":"${'y'.repeat(500)}"}\n`);
    expect(got.overlong).toEqual([CURSOR]);
  });

  it('never takes text inside a value for the cursor key (a quote inside a string is escaped)', () => {
    const { got, push } = collect(100);
    const forged = JSON.stringify({ MESSAGE: `${'z'.repeat(200)},"__CURSOR":"s=forged"` });
    expect(forged).toContain('\\"__CURSOR\\":\\"s=forged');
    push(`${forged.slice(0, -1)},"__CURSOR":"${CURSOR}"}\n`);
    expect(got.overlong).toEqual([CURSOR]);
  });

  it('reports an over-long line without a cursor as such', () => {
    const { got, push } = collect(100);
    push(`{"MESSAGE":"${'q'.repeat(300)}"}\n{"ok":1}\n`);
    expect(got.overlong).toEqual([undefined]);
    expect(got.lines).toEqual(['{"ok":1}']);
  });

  it('holds at most the cap however long a line grows', () => {
    const { got, push } = collect(4096);
    for (let i = 0; i < 1000; i++) push('w'.repeat(1000)); // 1 MB without a newline
    push('\n{"after":1}\n');
    expect(got.maxPending).toBeLessThanOrEqual(4096);
    expect(got.overlong).toEqual([undefined]);
    expect(got.lines).toEqual(['{"after":1}']);
  });
});
