// The remote address as a program logged it, reduced to the address other lines log for the same
// client: `::ffff:1.2.3.4` (dual-stack sockets: vsftpd, dropbear, tcp_wrappers, old sshd) is
// 1.2.3.4, `[2001:db8::1]` (sshd's drop lines) is 2001:db8::1.

const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

export function normalizeSource(raw: string): string | undefined {
  let s = raw;
  if (s.charCodeAt(0) === 91 /* [ */ && s.charCodeAt(s.length - 1) === 93) s = s.slice(1, -1);
  if (s === '' || s === 'UNKNOWN' || s === '?') return undefined;
  if (s.length > 7 && (s.charCodeAt(0) === 58 || s.charCodeAt(7) === 58)) {
    const m = MAPPED.exec(s);
    if (m) return m[1];
  }
  return s;
}

/** `1.2.3.4:5555`, `::ffff:1.2.3.4:5555`, `2001:db8::1:5555`, `[2001:db8::1]:5555` without the port. */
export function withoutPort(addrPort: string): string | undefined {
  const colon = addrPort.lastIndexOf(':');
  if (colon <= 0 || !/^\d+$/.test(addrPort.slice(colon + 1))) return normalizeSource(addrPort);
  return normalizeSource(addrPort.slice(0, colon));
}
