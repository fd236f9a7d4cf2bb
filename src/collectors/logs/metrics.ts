// The generic metrics of every log, whatever its type. Counters render from the checkpointed
// (published) state of each pipeline, like the type metrics; gauges render live figures.
import type { Registry } from 'prom-client';
import { defineMetric, type Sample } from '../../core/metric.js';
import type { LogPipeline } from '../../logs/pipeline.js';

export function registerGenericMetrics(registry: Registry, pipelines: () => readonly LogPipeline[]): void {
  const perLog = (value: (p: LogPipeline) => number | null | undefined) => (): Sample[] => {
    const out: Sample[] = [];
    for (const p of pipelines()) {
      const v = value(p);
      if (v !== null && v !== undefined) out.push({ labels: { log: p.name }, value: v });
    }
    return out;
  };

  defineMetric(registry, {
    name: 'hostwatch_log_lines_total',
    help: 'Lines read from the log, by result: parsed, unparsed (did not match the format), truncated (longer than max_line_bytes, cut).',
    type: 'counter',
    labelNames: ['log', 'result'],
    samples: () =>
      pipelines().flatMap((p) => {
        const c = p.state.counters;
        return [
          { labels: { log: p.name, result: 'parsed' }, value: c.parsed },
          { labels: { log: p.name, result: 'unparsed' }, value: c.unparsed },
          { labels: { log: p.name, result: 'truncated' }, value: c.truncated },
        ];
      }),
  });
  defineMetric(registry, {
    name: 'hostwatch_log_bytes_read_total',
    help: 'Bytes of the log files consumed (complete lines and skipped over-long line remainders); for the journal, bytes of the messages read.',
    type: 'counter',
    labelNames: ['log'],
    samples: perLog((p) => p.state.bytes),
  });
  defineMetric(registry, {
    name: 'hostwatch_log_rotations_total',
    help: 'Rotations seen, by kind: rename (renamed away, also when found in the rotation chain), delete (deleted away), copytruncate (truncated in place, read on from the copy), truncate (truncated or rewritten in place, no copy); unknown: counted by a version that did not record the kind.',
    type: 'counter',
    labelNames: ['log', 'kind'],
    samples: () =>
      pipelines().flatMap((p) => p.state.rotations.map(({ kind, count }) => ({ labels: { log: p.name, kind }, value: count }))),
  });
  defineMetric(registry, {
    name: 'hostwatch_log_last_line_timestamp_seconds',
    help: 'Timestamp carried by the last line that had one that parses (absent until then).',
    type: 'gauge',
    labelNames: ['log'],
    samples: perLog((p) => (p.state.counters.last_line_ts === null ? null : p.state.counters.last_line_ts / 1000)),
  });
  defineMetric(registry, {
    name: 'hostwatch_log_files_watched',
    help: 'Files currently followed (a rotated file is followed until it has been read to its end); 0 while the path does not exist.',
    type: 'gauge',
    labelNames: ['log'],
    samples: perLog((p) => p.stats().files),
  });
  defineMetric(registry, {
    name: 'hostwatch_log_source_up',
    help: 'Whether the source of the log is running: 1 for files (hostwatch_log_files_watched says how many are followed), and for the journal while a journalctl follows it; 0 while journalctl is missing or exited (restarted with backoff).',
    type: 'gauge',
    labelNames: ['log'],
    samples: perLog((p) => (p.stats().up ? 1 : 0)),
  });
  defineMetric(registry, {
    name: 'hostwatch_log_file_errors',
    help: 'Files or directories of the log that cannot be followed now, by reason: permission_denied, not_regular_file (a configured path is a directory, a FIFO...), gone (a checkpointed file with unread lines whose directory is missing: kept pending), too_many_files (matching files beyond the 1024 followed), symlink_refused (a link out of the log directories not owned by root or hostwatch), io_error. A missing path is not an error: it is waited for. Absent for a log that reads the journal.',
    type: 'gauge',
    labelNames: ['log', 'reason'],
    samples: () =>
      pipelines().flatMap((p) => {
        const problems = p.fileProblems();
        return problems ? Object.entries(problems).map(([reason, value]) => ({ labels: { log: p.name, reason }, value })) : [];
      }),
  });
  defineMetric(registry, {
    name: 'hostwatch_log_pending_bytes',
    help: 'Bytes written to the followed files and not read yet: the tailing lag.',
    type: 'gauge',
    labelNames: ['log'],
    samples: perLog((p) => p.stats().pendingBytes),
  });
  defineMetric(registry, {
    name: 'hostwatch_checkpoint_errors_total',
    help: 'Checkpoint writes that failed since hostwatch started; while they fail the log metrics stay at the last checkpointed values.',
    type: 'counter',
    labelNames: ['log'],
    samples: perLog((p) => p.checkpointErrors),
  });
  defineMetric(registry, {
    name: 'hostwatch_checkpoint_unusable',
    help: '1 when the checkpoint found at start could not be used (unreadable, corrupt, invalid) and was moved aside: the counters of the log restarted from zero and its files from start_position.',
    type: 'gauge',
    labelNames: ['log'],
    samples: perLog((p) => (p.checkpointUnusable ? 1 : 0)),
  });
  defineMetric(registry, {
    name: 'hostwatch_checkpoint_last_success_timestamp_seconds',
    help: 'When the checkpoint of the log was last written, or confirmed current (no line since), successfully; absent before the first.',
    type: 'gauge',
    labelNames: ['log'],
    samples: perLog((p) => (p.lastCheckpointAt === null ? null : p.lastCheckpointAt / 1000)),
  });
}
