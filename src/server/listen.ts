// Parses --web.listen-address values the way the Prometheus exporters do: ":10023", "0.0.0.0:9100",
// "127.0.0.1:0", "[::1]:10023", "localhost:10023".
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

export function parseListenAddress(addr: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr.trim());
  if (!m) throw new Error(`--web.listen-address: "${addr}" is not host:port (e.g. :10023, 127.0.0.1:10023, [::1]:10023)`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--web.listen-address: port ${port} is out of range`);
  const host = m[1] ?? (m[2] || undefined);
  return { host, port };
}
