// Request-level half of the client certificate policy. Node's handshake can only "not ask",
// "ask and accept anything" or "ask and require a verified certificate"; Go's RequireAnyClientCert
// and VerifyClientCertIfGiven fall between, so the handshake accepts the connection and this check
// refuses the request (403) when the policy is not met. It also applies client_allowed_sans.
import { isIP } from 'node:net';
import type { TLSSocket, PeerCertificate } from 'node:tls';
import type { RequestHandler, Response } from 'express';
import type { ClientAuthType } from './webconfig-schema.js';

/** Canonical text of an IP address, so that "0:0:0:0:0:0:0:1" and "::1" compare equal. */
function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip;
}

/**
 * The subject alternative names of a certificate as Node prints them ("DNS:a, IP Address:127.0.0.1,
 * URI:spiffe://x, email:a@b"); values with separators in them come JSON-quoted.
 */
export function parseSubjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  const re = /(DNS|IP Address|email|URI|DirName|othername|Registered ID):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') {
    let value = m[2];
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    out.push(m[1] === 'IP Address' ? canonicalIp(value) : value);
  }
  return out;
}

function refuse(res: Response, why: string): void {
  res.status(403).set('Connection', 'close').type('text/plain').send(`${why}\n`);
}

export function clientCertCheck(type: ClientAuthType, allowedSans: string[]): RequestHandler | undefined {
  if ((type === 'NoClientCert' || type === 'RequestClientCert') && allowedSans.length === 0) return undefined;
  const allowed = new Set(allowedSans.map((s) => (isIP(s) ? canonicalIp(s) : s)));
  return (req, res, next) => {
    const socket = req.socket as TLSSocket;
    const cert: PeerCertificate | undefined = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const given = Boolean(cert && cert.raw);
    if (!given) {
      if (type === 'RequireAnyClientCert' || type === 'RequireAndVerifyClientCert') return refuse(res, 'client certificate required');
      return next();
    }
    const verifying = type === 'VerifyClientCertIfGiven' || type === 'RequireAndVerifyClientCert';
    if (verifying && !socket.authorized) {
      return refuse(res, `client certificate not trusted: ${String(socket.authorizationError ?? 'unknown reason')}`);
    }
    if (allowed.size > 0 && !parseSubjectAltNames(cert!.subjectaltname).some((san) => allowed.has(san))) {
      return refuse(res, 'client certificate has none of the allowed subject alternative names');
    }
    next();
  };
}
