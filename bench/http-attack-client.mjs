#!/usr/bin/env node
// The attacker of bench/http-attack.mjs, in its own process (as an attacker would be), against the
// exporter on 127.0.0.1:<port> (TLS), until SIGTERM, at once and from three addresses (so that each
// attack reaches the server past the others' per-client cap):
// - from 127.0.0.1, a connection flood: 5,000 TCP connections, each reopened as soon as it closes;
// - from 127.0.0.4, slowloris: 200 TLS connections sending their headers one byte every 500 ms;
// - from 127.0.0.5, absurd requests: 8 loops of TLS requests with huge URLs and headers, bad bytes,
//   `..` and encoded traversal, and logins of unknown users (each costs the exporter a bcrypt compare).
// On SIGTERM it prints what it did as one JSON line on stdout and exits.
//
//   node bench/http-attack-client.mjs <port> <ca.pem>
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';

const port = Number(process.argv[2]);
// One secure context for every TLS connection (passing `ca` would parse it again for each).
const secureContext = tls.createSecureContext({ ca: readFileSync(process.argv[3], 'utf8') });
const FLOOD = 5000;
const SLOWLORIS = 200;
const JUNK_LOOPS = 8;

const stats = { floodConnects: 0, floodClosedByServer: 0, slowlorisClosed: 0, junkRequests: 0, junkStatuses: {} };
let stopping = false;

function flood() {
  if (stopping) return;
  // No localAddress: binding 5,000 sockets to an explicit address makes the kernel search a free
  // port for each bind() (slow); a plain connect from 127.0.0.1 picks its port cheaply.
  const s = net.connect({ port, host: '127.0.0.1' });
  stats.floodConnects++;
  s.on('error', () => {});
  s.on('close', () => {
    stats.floodClosedByServer++;
    setImmediate(flood);
  });
}

function slowloris() {
  if (stopping) return;
  const s = tls.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.4', secureContext, servername: 'localhost' }, () => {
    s.write('GET /metrics HTTP/1.1\r\nHost: localhost\r\n');
    const drip = setInterval(() => s.write('X'), 500);
    s.once('close', () => clearInterval(drip));
  });
  s.on('error', () => {});
  s.on('close', () => {
    stats.slowlorisClosed++;
    setTimeout(slowloris, 100);
  });
}

const unknownUser = `Basic ${Buffer.from('mallory:guess').toString('base64')}`;
const JUNK = [
  `GET /${'a'.repeat(1 << 20)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(65536)}\r\n\r\n`,
  `GET /metrics HTTP/1.1\r\nHost: x\r\n${'X-A: 1\r\n'.repeat(5000)}\r\n`,
  'GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /%2e%2e/%2e%2e/etc/shadow HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /metrics/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n',
  `GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: ${unknownUser}\r\n\r\n`,
  `GET /-/healthy HTTP/1.1\r\nHost: x\r\nAuthorization: ${unknownUser}\r\n\r\n`,
  'GET /metrics\0 HTTP/1.1\r\nHost: x\r\n\r\n',
  'FOO /metrics HTTP/1.1\r\nHost: x\r\n\r\n',
];

function junk(i) {
  if (stopping) return;
  const s = tls.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.5', secureContext, servername: 'localhost' }, () =>
    s.end(JUNK[i % JUNK.length]),
  );
  let head = '';
  s.on('data', (d) => {
    if (head.length < 16) head += d;
  });
  s.on('error', () => {});
  s.on('close', () => {
    stats.junkRequests++;
    const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 'closed';
    stats.junkStatuses[status] = (stats.junkStatuses[status] ?? 0) + 1;
    setImmediate(() => junk(i + JUNK_LOOPS));
  });
}

for (let i = 0; i < FLOOD; i++) flood();
for (let i = 0; i < SLOWLORIS; i++) slowloris();
for (let i = 0; i < JUNK_LOOPS; i++) junk(i);

process.on('SIGTERM', () => {
  stopping = true;
  process.stdout.write(JSON.stringify(stats) + '\n', () => process.exit(0));
});
