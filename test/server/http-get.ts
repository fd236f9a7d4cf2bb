// A plain HTTP GET to the exporter on 127.0.0.1 (no keep-alive agent, optional basic auth), for the
// tests that run the real server.
import http from 'node:http';

export function get(port: number, path: string, auth?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(
        {
          host: '127.0.0.1',
          port,
          path,
          agent: false,
          headers: auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      )
      .on('error', reject);
  });
}
