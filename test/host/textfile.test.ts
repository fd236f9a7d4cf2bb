// The textfile collector over several files and scrapes: families merged across files, a bad file
// skipped whole without breaking the others, names of hostwatch's own refused, changed and removed
// files followed, a missing directory reported by the error metric. The exposition is checked by
// promtool, as Prometheus would read it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTextfile, TextfileError } from '../../src/collectors/textfile/parse.js';
import { series, textfileRunner } from './textfile-helpers.js';

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-textfile-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const errorOf = (text: string) => series(text).get('hostwatch_textfile_scrape_error{}');
const mtimeOf = (text: string, file: string) => series(text).get(`hostwatch_textfile_mtime_seconds{file="${join(dir, file)}"}`);

describe('textfile collector', () => {
  it('merges one family from several files, the first HELP winning, and exports each file mtime', async () => {
    await writeFile(join(dir, 'a.prom'), '# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total{job="backup"} 3\n');
    await writeFile(join(dir, 'b.prom'), '# HELP jobs_total Other help.\n# TYPE jobs_total counter\njobs_total{job="sync"} 5\n');
    await writeFile(join(dir, 'notes.txt'), 'not_read 1\n');
    await utimes(join(dir, 'a.prom'), 1_700_000_000, 1_700_000_000.5);
    const text = await textfileRunner(dir).scrape();
    const s = series(text);
    expect(s.get('jobs_total{job="backup"}')).toBe('3');
    expect(s.get('jobs_total{job="sync"}')).toBe('5');
    expect(s.has('not_read{}')).toBe(false);
    expect(text).toContain('# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\n');
    expect(text.match(/# TYPE jobs_total/g)).toHaveLength(1);
    expect(mtimeOf(text, 'a.prom')).toBe('1700000000.5');
    expect(mtimeOf(text, 'b.prom')).toBe(String(Math.floor((await stat(join(dir, 'b.prom'))).mtimeMs) / 1000));
    expect(errorOf(text)).toBe('0');
  });

  it('skips a bad file whole and keeps the others: error 1, no mtime for it, collector still successful', async () => {
    await writeFile(join(dir, 'good.prom'), 'good_metric 1\n');
    await writeFile(join(dir, 'half.prom'), 'half_metric 1\nhalf_metric{x="1"} 2\nhalf_metr');
    const text = await textfileRunner(dir).scrape();
    const s = series(text);
    expect(s.get('good_metric{}')).toBe('1');
    expect([...s.keys()].some((k) => k.startsWith('half_metric'))).toBe(false);
    expect(mtimeOf(text, 'good.prom')).toBeDefined();
    expect(mtimeOf(text, 'half.prom')).toBeUndefined();
    expect(errorOf(text)).toBe('1');
    expect(s.get('hostwatch_collector_success{collector="textfile"}')).toBe('1');
  });

  it('refuses names of the exporter itself, a family typed differently in another file, and a series given by two files', async () => {
    await writeFile(join(dir, '1-first.prom'), '# TYPE shared gauge\nshared{a="1"} 1\nother 1\n');
    await writeFile(join(dir, '2-own.prom'), 'hostwatch_collector_success{collector="fake"} 1\nown_ok 1\n');
    await writeFile(join(dir, '3-process.prom'), 'process_cpu_seconds_total 1e9\n');
    await writeFile(join(dir, '4-retyped.prom'), '# TYPE shared counter\nshared{a="2"} 2\n');
    await writeFile(join(dir, '5-repeat.prom'), 'other 2\n');
    await writeFile(join(dir, '6-fine.prom'), 'shared{a="3"} 3\n');
    const text = await textfileRunner(dir).scrape();
    const s = series(text);
    expect(s.get('shared{a="1"}')).toBe('1');
    expect(s.get('other{}')).toBe('1');
    // 6-fine.prom has no TYPE: untyped, which is not the gauge of 1-first.prom either.
    for (const refused of ['hostwatch_collector_success{collector="fake"}', 'own_ok{}', 'shared{a="2"}', 'shared{a="3"}']) {
      expect(s.has(refused), refused).toBe(false);
    }
    // The runtime's own series stays the runtime's.
    expect(Number(s.get('process_cpu_seconds_total{}'))).toBeLessThan(1e9);
    for (const f of ['2-own.prom', '3-process.prom', '4-retyped.prom', '5-repeat.prom', '6-fine.prom'])
      expect(mtimeOf(text, f), f).toBeUndefined();
    expect(errorOf(text)).toBe('1');
  });

  it('follows changes between scrapes: a rewritten file is read again, a removed one disappears, a fixed one comes back', async () => {
    const tf = textfileRunner(dir);
    await writeFile(join(dir, 'a.prom'), 'queue_depth 4\n');
    await writeFile(join(dir, 'b.prom'), 'broken{\n');
    let text = await tf.scrape();
    expect(series(text).get('queue_depth{}')).toBe('4');
    expect(errorOf(text)).toBe('1');

    // Written as scripts should: a temporary file renamed over the old one (a new inode).
    await writeFile(join(dir, 'a.prom.tmp'), 'queue_depth 9\n');
    await run('mv', [join(dir, 'a.prom.tmp'), join(dir, 'a.prom')]);
    await writeFile(join(dir, 'b.prom'), 'fixed 1\n');
    text = await tf.scrape();
    expect(series(text).get('queue_depth{}')).toBe('9');
    expect(series(text).get('fixed{}')).toBe('1');
    expect(errorOf(text)).toBe('0');

    await rm(join(dir, 'a.prom'));
    text = await tf.scrape();
    expect(series(text).has('queue_depth{}')).toBe(false);
    expect(text).not.toContain('queue_depth');
    expect(mtimeOf(text, 'a.prom')).toBeUndefined();
  });

  it('a missing or unreadable directory is error 1 and no crash; it is read once it exists', async () => {
    const sub = join(dir, 'later');
    const tf = textfileRunner(sub);
    let text = await tf.scrape();
    expect(errorOf(text)).toBe('1');
    expect(series(text).get('hostwatch_collector_success{collector="textfile"}')).toBe('1');
    await mkdir(sub);
    await writeFile(join(sub, 'x.prom'), 'x 1\n');
    text = await tf.scrape();
    expect(errorOf(text)).toBe('0');
    expect(series(text).get('x{}')).toBe('1');
  });

  it('a directory named *.prom is skipped as not a regular file', async () => {
    await mkdir(join(dir, 'sub.prom'));
    await writeFile(join(dir, 'ok.prom'), 'ok 1\n');
    const text = await textfileRunner(dir).scrape();
    expect(errorOf(text)).toBe('1');
    expect(series(text).get('ok{}')).toBe('1');
  });

  it('without a directory it exports nothing', async () => {
    const text = await textfileRunner('').scrape();
    expect(text).not.toContain('hostwatch_textfile_');
  });

  it('renders histograms and summaries complete, and the whole output passes promtool check metrics', async () => {
    await writeFile(
      join(dir, 'h.prom'),
      [
        '# HELP req_seconds Request time.',
        '# TYPE req_seconds histogram',
        'req_seconds_bucket{le="1.0"} 2',
        'req_seconds_bucket{le="0.25"} 1',
        'req_seconds_count 3',
        '# TYPE lat summary',
        'lat{quantile="0.9"} 0.2',
        '# HELP untyped_thing Something.',
        'untyped_thing{a="x"} 1',
        '',
      ].join('\n'),
    );
    const text = await textfileRunner(dir).scrape();
    expect(text).toContain(
      'req_seconds_bucket{le="0.25"} 1\nreq_seconds_bucket{le="1"} 2\nreq_seconds_bucket{le="+Inf"} 3\nreq_seconds_sum 0\nreq_seconds_count 3\n',
    );
    expect(text).toContain('lat{quantile="0.9"} 0.2\nlat_sum 0\nlat_count 0\n');
    expect(text).toContain('# TYPE untyped_thing untyped\n');
    const file = join(dir, 'out.txt');
    await writeFile(file, text);
    // promtool reads the exposition from stdin; lint problems (not parse errors) are not our concern here.
    const { stdout, stderr } = await run('sh', ['-c', 'promtool check metrics < "$1"; echo "rc=$?"', 'sh', file]);
    expect(stderr).not.toMatch(/error while linting|parsing error/);
    expect(stdout).toMatch(/rc=(0|3)/);
  });
});

describe('textfile parser', () => {
  it.each([
    ['x 1 123\n', /timestamp/],
    ['x{a="1",a="2"} 1\n', /given twice/],
    ['x{__name__="y"} 1\n', /reserved/],
    ['x 1\nx 2\n', /given twice \(also line 1\)/],
    ['# TYPE h histogram\nh 1\n', /only h_bucket, _sum and _count/],
    ['# TYPE h histogram\nh_bucket 1\n', /no "le" label/],
    ['# TYPE s summary\ns 1\n', /"quantile" label/],
    ['x{a="\\t"} 1\n', /invalid escape/],
  ])('refuses %j', (text, why) => {
    expect(() => parseTextfile(text)).toThrow(TextfileError);
    expect(() => parseTextfile(text)).toThrow(why);
  });

  it('names the line of the problem', () => {
    expect(() => parseTextfile('a 1\nb 2\nc three\n')).toThrow(/^line 3: invalid value "three" for c$/);
  });
});
