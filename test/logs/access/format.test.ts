import { describe, expect, it } from 'vitest';
import { compileFormat, Field, FormatError, accessFormatProblem } from '../../../src/logs/access/format.js';
import { createAccessParser } from '../../../src/logs/access/parse.js';
import { METHODS } from '../../../src/logs/access/request.js';

function parse(format: string, line: string) {
  const b = Buffer.from(line);
  const r = createAccessParser(format).parseDetail(b, 0, b.length);
  if (!r) return undefined;
  return {
    method: METHODS[r.method],
    section: r.section,
    status: r.status,
    bytes: r.bytes,
    duration: r.duration,
    source: r.source,
    ts: r.timestamp,
  };
}

describe('compileFormat', () => {
  it('knows the timed formats', () => {
    expect(compileFormat('combined').timed).toBe(false);
    expect(compileFormat('$remote_addr "$request" $status $request_time').timed).toBe(true);
    expect(compileFormat('$remote_addr "$request" $status $upstream_response_time').timed).toBe(true);
    expect(compileFormat('%h "%r" %>s %D').timed).toBe(true);
    expect(compileFormat('%h "%r" %>s %{ms}T').has.has(Field.DurationMs)).toBe(true);
  });

  it('reports formats that cannot be parsed', () => {
    expect(() => compileFormat('$remote_addr$status "$request"')).toThrow(FormatError);
    expect(() => compileFormat('$remote_addr "$request"')).toThrow(/no status/);
    expect(() => compileFormat('$remote_addr $status')).toThrow(/no request/);
    expect(() => compileFormat('${remote_addr "$request" $status')).toThrow(/unclosed/);
    expect(accessFormatProblem('json')).toBeUndefined();
    expect(accessFormatProblem('common')).toBeUndefined();
    expect(accessFormatProblem('$status')).toMatch(/^invalid format: /);
  });
});

describe('format variants', () => {
  it('${var} syntax and unknown variables', () => {
    const f = '${remote_addr} [${time_iso8601}] ${host} "${request}" ${status} ${body_bytes_sent}rt=${request_time}';
    expect(parse(f, '10.0.0.1 [2024-03-05T14:20:01+01:00] example.com "GET /a/b HTTP/1.1" 200 12rt=0.250')).toEqual({
      method: 'GET',
      section: '/a',
      status: 200,
      bytes: 12,
      duration: 0.25,
      source: '10.0.0.1',
      ts: Date.parse('2024-03-05T13:20:01Z'),
    });
  });

  it('$request_method + $request_uri instead of $request, $msec as time', () => {
    const f = '$msec $remote_addr $request_method $request_uri $status $bytes_sent';
    expect(parse(f, '1709650000.250 2001:db8::1 DELETE /items/7?x=1 204 180')).toEqual({
      method: 'DELETE',
      section: '/items',
      status: 204,
      bytes: 180,
      duration: undefined,
      source: '2001:db8::1',
      ts: 1709650000250,
    });
  });

  it('a field ending the format that holds no space stops at the first space', () => {
    expect(parse('common', '1.2.3.4 - - [05/Mar/2024:14:20:01 +0100] "GET / HTTP/1.1" 200 5 "-" "curl"')?.bytes).toBe(5);
  });

  it('upstream time alone gives the duration; "-" gives none but the line still counts', () => {
    const f = '$remote_addr "$request" $status $body_bytes_sent $upstream_response_time';
    expect(parse(f, '1.2.3.4 "GET /x HTTP/1.1" 200 5 0.5, 0.25')?.duration).toBe(0.75);
    const r = parse(f, '1.2.3.4 "GET /x HTTP/1.1" 200 5 -');
    expect(r?.status).toBe(200);
    expect(r?.duration).toBeUndefined();
  });

  it('Apache %T (seconds), %{ms}T and %D (microseconds)', () => {
    expect(parse('%h "%r" %>s %b %T', '::1 "GET / HTTP/1.1" 200 - 3')?.duration).toBe(3);
    expect(parse('%h "%r" %>s %b %{ms}T', '::1 "GET / HTTP/1.1" 200 - 1500')?.duration).toBe(1.5);
    expect(parse('%h "%r" %>s %b %D', '::1 "GET / HTTP/1.1" 200 - 1500')?.duration).toBe(0.0015);
  });

  it('quoted fields: escaped quotes and backslashes, unescaped quotes inside', () => {
    const f = '$remote_addr "$request" $status $body_bytes_sent "$http_user_agent" $request_time';
    expect(parse(f, '1.2.3.4 "GET /a\\"b HTTP/1.1" 200 5 "x\\\\" 0.1')?.duration).toBe(0.1);
    expect(parse(f, '1.2.3.4 "GET /a"b HTTP/1.1" 200 5 "ua" 0.1')?.section).toBe('/a"b');
    expect(parse(f, '1.2.3.4 "GET /a HTTP/1.1" 200 5 "ua \\"with\\" quotes" 0.2')?.duration).toBe(0.2);
  });

  it('lines that do not fit the format are rejected', () => {
    for (const line of [
      '',
      '1.2.3.4',
      '1.2.3.4 - - [05/Mar/2024:14:20:01 +0100] "GET / HTTP/1.1" 200',
      '1.2.3.4 - - [05/Mar/2024:14:20:01 +0100] "GET / HTTP/1.1" 20x 5',
      '1.2.3.4 - - [05/Mar/2024:14:20:01 +0100] "GET / HTTP/1.1" 099 5',
      '1.2.3.4 - - [05/Mar/2024:14:20:01 +0100] "GET / HTTP/1.1" 600 5',
      '1.2.3.4 - - [05/Mar/2024:14:20:01 +0100] "GET / HTTP/1.1" 200 5k',
      '1.2.3.4 - - [05/Mar/2024:14:20:01 +0100] "GET / HTTP/1.1 200 5',
    ]) {
      expect(parse('common', line)).toBeUndefined();
    }
  });

  it('a line whose time does not parse still counts, without a timestamp', () => {
    const r = parse('common', '1.2.3.4 - - [yesterday] "GET / HTTP/1.1" 200 5');
    expect(r?.status).toBe(200);
    expect(r?.ts).toBeUndefined();
  });
});

describe('json', () => {
  const p = (line: string, fields = {}) => {
    const b = Buffer.from(line);
    return createAccessParser('json', { jsonFields: fields }).parseDetail(b, 0, b.length);
  };
  it('numbers or strings, nested paths, keys with dots, units', () => {
    expect(p('{"method":"GET","path":"/a/b","status":"201","bytes":"7","request_time":"0.5"}')).toMatchObject({
      status: 201,
      bytes: 7,
      duration: 0.5,
      section: '/a',
    });
    expect(
      p('{"r":{"m":"PUT","u":"/x"},"s":204,"d":1500}', { method: 'r.m', path: 'r.u', status: 's', duration: 'd', duration_unit: 'ms' }),
    ).toMatchObject({
      status: 204,
      duration: 1.5,
      section: '/x',
      bytes: 0,
    });
    expect(p('{"http.method":"GET","http.path":"/k","status":200}', { method: 'http.method', path: 'http.path' })).toMatchObject({
      section: '/k',
    });
    expect(p('{"request":"GET /q HTTP/1.1","status":200,"time":1709650000}')).toMatchObject({ section: '/q', timestamp: 1709650000000 });
    expect(p('{"request":"GET /q HTTP/1.1","status":200,"time":1709650000123}')?.timestamp).toBe(1709650000123);
  });
  it('rejects what is not an access record', () => {
    for (const line of [
      '',
      'not json',
      '[1,2]',
      'null',
      '{"status":200}',
      '{"request":"GET / HTTP/1.1"}',
      '{"request":"GET / HTTP/1.1","status":"abc"}',
      '{"request":"GET / HTTP/1.1","status":200,"bytes":-1}',
      '{"request":"GET / HTTP/1.1","status":200.5}',
      '{"request":"GET / HTTP/1.1","status":200',
      '{"method":1,"path":2,"status":200}',
    ]) {
      expect(p(line)).toBeUndefined();
    }
  });
});
