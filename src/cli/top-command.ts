// The `hostwatch top` command line; the console itself (ink, React) is imported when it runs, so
// the exporter never loads them.
import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/units.js';

const duration = (flag: string) => (v: string) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms < 1) throw new InvalidArgumentError(`${flag}: not a duration (e.g. 500ms, 10s, 2m)`);
  return ms;
};
const positive = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag}: not a number >= 0`);
  return n;
};
const collect = (v: string, prev: string[]) => [...prev, v];

export function topCommand(reportError: (err: unknown) => number): Command {
  return new Command('top')
    .description(
      'live console view of web traffic: top sections and clients, status mix, requests/s, the high-traffic alert on the average over --alert-window, and a security panel; ' +
        'reads access logs directly (--log) or a running exporter (--url)',
    )
    .option('--log <file>', 'access log to follow from its end (repeatable)', collect, [])
    .option(
      '--format <format>',
      'format of the --log files: combined, common, json, caddy, traefik, or an nginx log_format / Apache LogFormat string',
      'combined',
    )
    .option('--auth-log <file>', 'auth log to follow for the failed-logins count (repeatable)', collect, [])
    .option('--firewall-log <file>', 'firewall log to follow for the top blocked sources (repeatable)', collect, [])
    .option('--url <url>', 'instead of --log: /metrics URL of a running hostwatch (e.g. http://localhost:10023/metrics)')
    .option('--username <name>', 'basic auth user for --url')
    .option('--password-file <file>', 'file holding the basic auth password for --url')
    .option('--bearer-token-file <file>', 'file holding a bearer token for --url')
    .option('--ca-file <file>', 'CA certificate to verify an https --url with')
    .option('--insecure-skip-verify', 'do not verify the certificate of an https --url', false)
    .option('--scrape-interval <duration>', 'how often --url is scraped', duration('--scrape-interval'), 2000)
    .option('--refresh <duration>', 'refresh interval of the screen: figures are those of the last interval', duration('--refresh'), 10_000)
    .option('--alert-window <duration>', 'window of the high-traffic average', duration('--alert-window'), 120_000)
    .option(
      '--threshold <hits/s>',
      'average requests per second over the window above which the alert is raised',
      positive('--threshold'),
      10,
    )
    .option('--rows <n>', 'top sections and clients shown at most (fewer when the terminal is small)', positive('--rows'), 10)
    .action(async (opts: Record<string, unknown>) => {
      try {
        const { runTop } = await import('../top/command.js');
        process.exitCode = await runTop({
          log: opts.log as string[],
          format: String(opts.format),
          authLog: opts.authLog as string[],
          firewallLog: opts.firewallLog as string[],
          url: opts.url as string | undefined,
          username: opts.username as string | undefined,
          passwordFile: opts.passwordFile as string | undefined,
          bearerTokenFile: opts.bearerTokenFile as string | undefined,
          caFile: opts.caFile as string | undefined,
          insecureSkipVerify: opts.insecureSkipVerify === true,
          refreshMs: opts.refresh as number,
          windowMs: opts.alertWindow as number,
          threshold: opts.threshold as number,
          scrapeIntervalMs: opts.scrapeInterval as number,
          rows: Math.max(1, Math.floor(opts.rows as number)),
        });
      } catch (err) {
        process.exitCode = reportError(err);
      }
    });
}
