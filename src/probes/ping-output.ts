// Pure reading of what the system `ping` printed for one echo request: the round-trip time of the
// reply, or why there was none. Formats: iputils (Debian, Ubuntu, RHEL, Fedora, Arch; old and new),
// BusyBox (Alpine) and GNU inetutils, as their sources print them; golden fixtures in
// test/fixtures/ping/.

export type PingOutcome =
  | { kind: 'reply'; rtt: number }
  | { kind: 'no_reply'; message: string }
  | { kind: 'not_permitted'; message: string }
  | { kind: 'error'; message: string };

// iputils: "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.077 ms"; BusyBox: "... seq=0 ttl=64 time=0.061 ms";
// a reply of a hostname target: "64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=0.05 ms".
const REPLY = /^\d+ bytes from .*\b(?:icmp_)?seq=\d+ .*\btime[=<]\s*([\d.]+)\s*ms/m;

// iputils >= 20210202: "ping: socket: Operation not permitted" and "=> missing cap_net_raw+p capability or
// setuid?"; iputils s2012: "ping: icmp open socket: Operation not permitted"; BusyBox: "ping: permission
// denied (are you root?)"; inetutils: "ping: Lacking privilege for icmp socket."; and an exec refused by a
// capability bounding set: "Operation not permitted" from the spawn itself.
const NOT_PERMITTED = /Operation not permitted|missing cap_net_raw|permission denied \(are you root\?\)|Lacking privilege/i;

// "1 packets transmitted, 0 received, 100% packet loss" (iputils), "1 packets transmitted, 0 packets
// received, 100% packet loss" (BusyBox, inetutils).
const LOST = /\b0 (?:packets )?received\b|\b100% packet loss\b/;

/** The last meaningful line, for the log. */
function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return (lines.at(-1) ?? '').slice(0, 300);
}

/** Reads ping's stdout, stderr and exit code (null when it was killed). */
export function readPingOutput(stdout: string, stderr: string, code: number | null): PingOutcome {
  const reply = REPLY.exec(stdout);
  if (reply) {
    const ms = Number(reply[1]);
    if (Number.isFinite(ms)) return { kind: 'reply', rtt: ms / 1000 };
  }
  const both = `${stderr}\n${stdout}`;
  if (NOT_PERMITTED.test(both)) {
    const line = stderr.split('\n').find((l) => NOT_PERMITTED.test(l)) ?? lastLine(both);
    return { kind: 'not_permitted', message: line.trim() };
  }
  // Exit 1 is iputils' "no reply"; an ICMP error ("Destination Host Unreachable") also counts as no reply.
  if (LOST.test(stdout) || code === 1) return { kind: 'no_reply', message: lastLine(stdout) || 'no reply' };
  return { kind: 'error', message: lastLine(stderr) || lastLine(stdout) || `ping exited ${code ?? 'on a signal'}` };
}
