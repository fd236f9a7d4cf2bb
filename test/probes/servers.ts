// Real servers on loopback for the probe tests: HTTP and HTTPS (a self-signed certificate, and a CA-signed
// one requiring a client certificate), TCP listeners that answer, that accept and never answer, and one
// whose accept queue is full (connects hang: the kernel drops the SYNs), and a DNS server written with
// dns-packet answering over UDP and TCP on one port.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { makePki, selfSigned as selfSignedCert, signed, type Pki } from '../server/certs.js';

export interface Servers {
  http: number;
  /** HTTPS with a self-signed certificate for localhost and 127.0.0.1. */
  https: number;
  selfSigned: { cert: string; key: string };
  /** HTTPS with a CA-signed certificate, requiring a client certificate signed by the CA. */
  mtls: number;
  pki: Pki;
  /** TCP: "220 ready" banner, answers "PING" with "+PONG", "QUIT" closes. */
  tcp: number;
  /** TCP: accepts and never reads nor writes. */
  silent: number;
  /** A port nothing listens on. */
  closed: number;
  /** TCP: accept queue full, connections hang in SYN_SENT. */
  backlogged: number;
  /** DNS over UDP and TCP. */
  dns: number;
  /** Connections the HTTP servers accepted (each probe opens its own). */
  connections(): number;
  close(): Promise<void>;
}

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function routes(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const hop = /^\/redirect\/(\d+)$/.exec(url.pathname);
  if (hop) {
    const n = Number(hop[1]);
    res.writeHead(302, { Location: n > 1 ? `/redirect/${n - 1}` : '/ok' }).end();
    return;
  }
  switch (url.pathname) {
    case '/ok':
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('hello world, status: healthy\n');
      return;
    case '/status':
      res.writeHead(Number(url.searchParams.get('code') ?? 200)).end('status page\n');
      return;
    case '/loop':
      res.writeHead(301, { Location: '/loop' }).end();
      return;
    case '/see-other':
      res.writeHead(303, { Location: '/method' }).end();
      return;
    case '/method': {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => res.writeHead(200).end(`${req.method} ${req.headers['x-probe'] ?? ''} ${req.headers.host} ${body}`));
      return;
    }
    case '/big':
      res.writeHead(200);
      res.end('x'.repeat(2 * 1024 * 1024));
      return;
    case '/slow-headers':
      setTimeout(() => res.writeHead(200).end('late\n'), Number(url.searchParams.get('ms') ?? 200));
      return;
    case '/slow-body':
      res.writeHead(200);
      res.write('first part ');
      setTimeout(() => res.end('second part\n'), Number(url.searchParams.get('ms') ?? 200));
      return;
    default:
      res.writeHead(404).end('not found\n');
  }
}

function tcpServer(): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => {});
    socket.write('220 ready\r\n');
    let pending = '';
    socket.on('data', (d) => {
      pending += d.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line === 'PING') socket.write('+PONG\r\n');
        else if (line === 'QUIT') socket.end('221 bye\r\n');
        else socket.write(`-ERR unknown ${line}\r\n`);
      }
    });
  });
}

/** The zone the DNS server answers from. */
const ZONE: Record<string, Answer[]> = {
  'www.example.test:A': [
    { type: 'A', name: 'www.example.test', ttl: 300, class: 'IN', data: '192.0.2.10' },
    { type: 'A', name: 'www.example.test', ttl: 300, class: 'IN', data: '192.0.2.11' },
  ],
  'www.example.test:AAAA': [{ type: 'AAAA', name: 'www.example.test', ttl: 300, class: 'IN', data: '2001:db8::10' }],
  'example.test:MX': [
    { type: 'MX', name: 'example.test', ttl: 3600, class: 'IN', data: { preference: 10, exchange: 'mail.example.test' } },
  ],
  'example.test:TXT': [{ type: 'TXT', name: 'example.test', ttl: 60, class: 'IN', data: ['v=spf1 -all'] }],
  'alias.example.test:A': [
    { type: 'CNAME', name: 'alias.example.test', ttl: 60, class: 'IN', data: 'www.example.test' },
    { type: 'A', name: 'www.example.test', ttl: 300, class: 'IN', data: '192.0.2.10' },
  ],
};
const SOA: Answer = {
  type: 'SOA',
  name: 'example.test',
  ttl: 3600,
  class: 'IN',
  data: {
    mname: 'ns1.example.test',
    rname: 'hostmaster.example.test',
    serial: 2024050201,
    refresh: 7200,
    retry: 900,
    expire: 1209600,
    minimum: 300,
  },
};

/** The answer of the test zone to a query; names under slow.example.test get none (the probe times out). */
export function answer(query: Packet): Packet | undefined {
  const q = query.questions?.[0];
  if (!q || q.name.endsWith('slow.example.test')) return undefined;
  const answers = ZONE[`${q.name}:${q.type}`];
  const known = Object.keys(ZONE).some((k) => k.startsWith(`${q.name}:`));
  // The response code is the low 4 bits of the flags: 0 NOERROR, 3 NXDOMAIN.
  const rcode = known ? 0 : 3;
  return {
    type: 'response',
    id: query.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | rcode,
    questions: query.questions,
    answers: answers ?? [],
    authorities: answers ? [] : [SOA],
  };
}

async function dnsServer(): Promise<{ port: number; close(): Promise<void> }> {
  const tcp = net.createServer((socket) => {
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const res = answer(dnsPacket.decode(msg));
        if (res) socket.write(dnsPacket.streamEncode(res));
      }
    });
  });
  const port = await listen(tcp);
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const res = answer(dnsPacket.decode(msg));
    if (res) udp.send(dnsPacket.encode(res), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    close: () =>
      Promise.all([new Promise<void>((r) => tcp.close(() => r())), new Promise<void>((r) => udp.close(() => r()))]).then(() => {}),
  };
}

/**
 * A listener whose accept queue is full: python3 listens with a backlog of 0 and never accepts, and
 * the queue is filled with connections of our own. Linux then drops further SYNs, so a probe's
 * connect() hangs, as to a host behind a firewall that drops packets.
 */
async function backloggedListener(): Promise<{ port: number; close(): void }> {
  const child: ChildProcess = spawn(
    'python3',
    [
      '-c',
      'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  // Fill the queue: with backlog 0, one or two established connections fill it; the next SYNs are dropped.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
  }
  await new Promise((r) => setTimeout(r, 200));
  return {
    port,
    close: () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}

export async function startServers(): Promise<Servers> {
  const pki = await makePki();
  const selfSigned = await selfSignedCert(pki.dir, 'self', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  // A second server certificate from the CA, for the mTLS server.
  const mtlsCert = await signed(pki.dir, 'mtls', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const { readFile } = await import('node:fs/promises');
  let connections = 0;
  const count = (s: net.Server) => s.on('connection', () => connections++);

  const httpServer = count(http.createServer(routes));
  const httpsServer = count(https.createServer({ cert: await readFile(selfSigned.cert), key: await readFile(selfSigned.key) }, routes));
  const mtlsServer = https.createServer(
    {
      cert: await readFile(mtlsCert.cert),
      key: await readFile(mtlsCert.key),
      ca: await readFile(pki.ca.cert),
      requestCert: true,
      rejectUnauthorized: true,
    },
    routes,
  );
  const tcp = tcpServer();
  const silentSockets = new Set<net.Socket>();
  const silent = net.createServer((s) => {
    silentSockets.add(s);
    s.on('error', () => {});
    s.on('close', () => silentSockets.delete(s));
  });
  const closedServer = net.createServer();
  const closed = await listen(closedServer);
  await new Promise<void>((r) => closedServer.close(() => r()));
  const [httpPort, httpsPort, mtlsPort, tcpPort, silentPort, dns, backlogged] = await Promise.all([
    listen(httpServer),
    listen(httpsServer),
    listen(mtlsServer),
    listen(tcp),
    listen(silent),
    dnsServer(),
    backloggedListener(),
  ]);
  const servers = [httpServer, httpsServer, mtlsServer, tcp, silent];
  return {
    http: httpPort,
    https: httpsPort,
    selfSigned,
    mtls: mtlsPort,
    pki,
    tcp: tcpPort,
    silent: silentPort,
    closed,
    backlogged: backlogged.port,
    dns: dns.port,
    connections: () => connections,
    close: async () => {
      backlogged.close();
      for (const s of silentSockets) s.destroy();
      for (const s of [httpServer, httpsServer, mtlsServer]) (s as http.Server).closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      await dns.close();
      const { rm } = await import('node:fs/promises');
      await rm(pki.dir, { recursive: true, force: true });
    },
  };
}
