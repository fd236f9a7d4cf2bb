import { describe, expect, it } from 'vitest';
import { METHODS, methodIndex, parseRequestLine, sectionOf } from '../../../src/logs/access/request.js';

function req(line: string): { method: string; section: string; target: string } | undefined {
  const b = Buffer.from(line);
  const p = parseRequestLine(b, 0, b.length);
  if (!p) return undefined;
  return { method: METHODS[p.method], section: p.section, target: b.toString('utf8', p.targetStart, p.targetEnd) };
}

describe('sectionOf', () => {
  it.each([
    ['/pages/create', '/pages'],
    ['/pages', '/pages'],
    ['/pages/', '/pages'],
    ['/pages?x=/y', '/pages'],
    ['/pages#top', '/pages'],
    ['/', '/'],
    ['/?q=1', '/'],
    ['/#frag', '/'],
    ['//pages/x', '/pages'],
    ['///', '/'],
    ['/favicon.ico', '/favicon.ico'],
    ['/%7Euser/x', '/%7Euser'],
  ])('%s → %s', (path, section) => {
    expect(sectionOf(Buffer.from(path), 0, path.length)).toBe(section);
  });

  it('works on a range inside a longer line', () => {
    const line = 'x "GET /api/v1 HTTP/1.1" y';
    expect(sectionOf(Buffer.from(line), 7, 14)).toBe('/api');
  });
});

describe('methodIndex', () => {
  it('maps the fixed set and nothing else', () => {
    const index = (m: string) => methodIndex(Buffer.from(m), 0, m.length);
    for (const m of METHODS.slice(0, -1)) expect(METHODS[index(m)]).toBe(m);
    for (const m of ['get', 'PROPFIND', 'MKCOL', 'GETS', 'GE', 'SSTP_DUPLEX_POST', 'Post', 'OTHER'])
      expect(METHODS[index(m)]).toBe('OTHER');
  });
});

describe('parseRequestLine', () => {
  it.each([
    ['GET /pages/create HTTP/1.1', 'GET', '/pages', '/pages/create'],
    ['GET /a HTTP/2.0', 'GET', '/a', '/a'],
    ['GET /a', 'GET', '/a', '/a'], // HTTP/0.9 style, no protocol
    ['POST /a b HTTP/1.1', 'POST', '/a b', '/a b'], // raw space in the target, closed by a protocol
    ['GET http://example.com/x/y?z HTTP/1.1', 'GET', '/x', 'http://example.com/x/y?z'],
    ['GET HTTPS://Example.com HTTP/1.1', 'GET', '/', 'HTTPS://Example.com'],
    ['GET http://example.com?x=/y HTTP/1.1', 'GET', '/', 'http://example.com?x=/y'],
    ['CONNECT example.com:443 HTTP/1.1', 'CONNECT', '__connect__', 'example.com:443'],
    ['CONNECT [2001:db8::1]:443 HTTP/1.1', 'CONNECT', '__connect__', '[2001:db8::1]:443'],
    ['OPTIONS * HTTP/1.1', 'OPTIONS', '*', '*'],
    ['CONNECT /x HTTP/1.1', 'CONNECT', '/x', '/x'], // origin-form with CONNECT: odd but a request
    ['PROPFIND /dav/ HTTP/1.1', 'OTHER', '/dav', '/dav/'],
    ['-', 'OTHER', '__none__', ''],
  ])('%s', (line, method, section, target) => {
    expect(req(line)).toEqual({ method, section, target });
  });

  it.each([
    ['\\x16\\x03\\x01\\x00\\xF1\\x01'], // TLS ClientHello sent to a plain HTTP port, as nginx escapes it
    ['MGLNDD_93.184.216.34_443'],
    ['GET HTTP/1.1'],
    ['GET'],
    ['GET '],
    [''],
    ['GET /a HTTP/1.1 extra'],
    ['GET index.html HTTP/1.1'],
    ['G(T /a HTTP/1.1'],
    ['--'],
  ])('%j is not a request', (line) => {
    expect(req(line)).toBeUndefined();
  });
});
