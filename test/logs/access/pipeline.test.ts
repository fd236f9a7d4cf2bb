// The access and pattern types through the real logs collector: real files in a temp dir, the real
// tailer and checkpoints, lines appended while running, a rename rotation, and a restart from the
// checkpoint after which the counters continue (no reset, no line counted twice).
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogsCollector } from '../../../src/collectors/logs/index.js';
import { ManualClock } from '../../../src/core/clock.js';
import { tempDir } from '../../tail/helpers.js';
import { startLogs, type RunningLogs } from '../helpers.js';

let dir: string;
let cleanup: () => void;
const collectors: LogsCollector[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.stop().catch(() => {})));
  cleanup();
});

const req = (path: string, status: number, t: string) =>
  `203.0.113.5 - - [05/Mar/2024:14:20:0${t} +0000] "GET ${path} HTTP/1.1" ${status} 100 "-" "curl/8.4.0" 0.${t}00\n`;

function running(clock: ManualClock): Promise<RunningLogs> {
  return startLogs(
    [
      {
        name: 'web',
        type: 'access',
        path: path.join(dir, 'access.log'),
        start_position: 'beginning',
        format:
          '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time',
        max_sections: 2,
      },
      {
        name: 'av',
        type: 'pattern',
        path: path.join(dir, 'clamav.log'),
        start_position: 'beginning',
        rules: [{ name: 'clamav', regex: ': (?<signature>\\S+) FOUND$', labels: ['signature'] }],
      },
    ],
    dir,
    clock,
    collectors,
  );
}

describe('access and pattern logs through the pipeline', () => {
  it('appended lines change the metrics; rotation and restart neither lose nor repeat a line', async () => {
    const access = path.join(dir, 'access.log');
    const clam = path.join(dir, 'clamav.log');
    writeFileSync(access, req('/api/a', 200, '1') + req('/api/b', 500, '2'));
    writeFileSync(clam, 'Mon Mar  4 10:12:01 2024 -> /home/u/eicar.com: Eicar-Test-Signature FOUND\n');
    const clock = new ManualClock();
    const first = await running(clock);
    let text = await first.scrape();
    expect(text).toContain('hostwatch_http_requests_total{log="web",section="/api",method="GET",status="2xx"} 1');
    expect(text).toContain('hostwatch_http_requests_total{log="web",section="/api",method="GET",status="5xx"} 1');
    expect(text).toContain('hostwatch_http_request_duration_seconds_count{log="web",section="/api"} 2');
    expect(text).toContain('hostwatch_pattern_matches_total{log="av",rule="clamav",signature="Eicar-Test-Signature"} 1');
    expect(text).toContain(`hostwatch_log_last_line_timestamp_seconds{log="web"} ${Date.parse('2024-03-05T14:20:02Z') / 1000}`);

    // More lines, then logrotate's rename + create, with lines in both files.
    appendFileSync(access, req('/static/x', 200, '3') + 'garbage\n');
    renameSync(access, access + '.1');
    writeFileSync(access, req('/third/x', 200, '4') + req('/api/c', 200, '5'));
    appendFileSync(
      clam,
      'Mon Mar  4 10:12:02 2024 -> /tmp/x: Eicar-Test-Signature FOUND\nMon Mar  4 10:12:03 2024 -> SelfCheck: Database status OK.\n',
    );
    await first.scrape();
    await first.scrape(); // a rotated file is read to its end on the next passes
    text = await first.scrape();
    expect(text).toContain('hostwatch_http_requests_total{log="web",section="/api",method="GET",status="2xx"} 2');
    expect(text).toContain('hostwatch_http_requests_total{log="web",section="/static",method="GET",status="2xx"} 1');
    // max_sections: 2 — the third section goes to __other__.
    expect(text).toContain('hostwatch_http_requests_total{log="web",section="__other__",method="GET",status="2xx"} 1');
    expect(text).toContain('hostwatch_log_lines_total{log="web",result="unparsed"} 1');
    expect(text).toContain('hostwatch_pattern_matches_total{log="av",rule="clamav",signature="Eicar-Test-Signature"} 2');
    // A pattern log's lines are all parsed, matched by a rule or not.
    expect(text).toContain('hostwatch_log_lines_total{log="av",result="parsed"} 3');
    expect(text).toContain('hostwatch_log_lines_total{log="av",result="unparsed"} 0');

    // Restart on the same state dir: the counters continue from the checkpoint.
    await first.c.stop();
    const second = await running(clock);
    appendFileSync(access, req('/api/d', 200, '6'));
    text = await second.scrape();
    expect(text).toContain('hostwatch_http_requests_total{log="web",section="/api",method="GET",status="2xx"} 3');
    expect(text).toContain('hostwatch_http_requests_total{log="web",section="__other__",method="GET",status="2xx"} 1');
    expect(text).toContain('hostwatch_http_request_duration_seconds_count{log="web",section="/api"} 4');
    expect(text).toContain('hostwatch_http_response_bytes_total{log="web",section="/api"} 400');
    expect(text).toContain('hostwatch_pattern_matches_total{log="av",rule="clamav",signature="Eicar-Test-Signature"} 2');
    expect(text).toContain('hostwatch_log_lines_total{log="web",result="parsed"} 6');
  });
});
