// The screen of `hostwatch top`, drawn with ink (React for terminals). Only the `top` subcommand
// imports this module (lazily): the exporter never loads ink or React. The model is plain data
// updated by command.ts; the view redraws when it changes and adapts to the terminal size (two
// columns from 80 columns on, one below; as many top rows as the height allows).
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { createElement as h, useEffect, useState, type ReactElement } from 'react';
import { STATUS_LABELS, topEntries, type Interval } from './traffic.js';

export interface Screen {
  source: string;
  refreshMs: number;
  threshold: number;
  windowMs: number;
  /** The last complete interval (undefined before the first refresh). */
  interval?: Interval;
  /** Average hits/s over the alert window. */
  average: number;
  /** The alert line while the alert is active, else the last recovery line (undefined: none yet). */
  alert?: { line: string; active: boolean };
  /** Alert and recovery lines of this session, oldest first. */
  history: string[];
  /** The last error of the source (a failed scrape, an unreadable file). */
  error?: string;
  updatedAt?: number;
  rows: number;
}

/** Plain data with change notification, shared by command.ts and the view. */
export class Model {
  private listeners = new Set<() => void>();
  constructor(public screen: Screen) {}
  update(patch: Partial<Screen>): void {
    this.screen = { ...this.screen, ...patch };
    for (const l of this.listeners) l();
  }
  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
const rate = (n: number) => (Math.round(n * 100) / 100).toString();
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

function table(title: string, rows: [string, number][], width: number): ReactElement {
  const keyWidth = Math.max(8, width - 10);
  return h(
    Box,
    { flexDirection: 'column', width, marginRight: 1 },
    h(Text, { bold: true, underline: true }, title),
    rows.length === 0
      ? h(Text, { dimColor: true }, '(none)')
      : rows.map(([k, v]) =>
          h(
            Text,
            { key: k, wrap: 'truncate' },
            `${k.length > keyWidth ? k.slice(0, keyWidth - 1) + '…' : k.padEnd(keyWidth)} ${String(v).padStart(8)}`,
          ),
        ),
  );
}

export function TopView({ screen, columns, rows }: { screen: Screen; columns: number; rows: number }): ReactElement {
  const iv = screen.interval;
  const total = iv?.total ?? 0;
  const perSecond = total / (screen.refreshMs / 1000);
  const wide = columns >= 80;
  // Lines that are not top rows: header 3, alert 1, titles 1-2, security 3, history up to 4, help 1.
  const fixed = 13 + Math.min(4, screen.history.length) + (wide ? 0 : 2);
  const n = Math.max(1, Math.min(screen.rows, Math.floor((rows - fixed) / (wide ? 1 : 2))));
  const status = STATUS_LABELS.map((l, i) => `${l} ${total > 0 ? Math.round(((iv?.status[i] ?? 0) * 100) / total) : 0}%`).join('  ');
  const colWidth = wide ? Math.floor((columns - 2) / 2) : columns - 1;
  const sec = iv;
  const blockedTitle = sec?.blockedBy === 'port' ? 'blocked ports' : 'blocked sources';
  const blocked = sec?.blocked
    ? topEntries(sec.blocked, 3)
        .map(([k, v]) => `${k} (${v})`)
        .join(', ') || 'none'
    : 'n/a';
  return h(
    Box,
    { flexDirection: 'column', width: columns },
    h(
      Text,
      { bold: true, wrap: 'truncate' },
      `hostwatch top — ${screen.source} — every ${seconds(screen.refreshMs)}${screen.updatedAt ? ` — ${clock(screen.updatedAt)}` : ''}`,
    ),
    h(
      Text,
      { wrap: 'truncate' },
      `Requests: ${total} in the last ${seconds(screen.refreshMs)} (${rate(perSecond)}/s)   ${seconds(screen.windowMs)} average: ${rate(screen.average)}/s (threshold ${screen.threshold}/s)`,
    ),
    h(Text, { wrap: 'truncate' }, `Status: ${status}`),
    screen.alert
      ? h(Text, { color: screen.alert.active ? 'red' : 'green', bold: screen.alert.active, wrap: 'truncate' }, screen.alert.line)
      : h(Text, { dimColor: true }, 'No high-traffic alert'),
    h(
      Box,
      { flexDirection: wide ? 'row' : 'column', marginTop: 1 },
      table(`Top sections (last ${seconds(screen.refreshMs)})`, topEntries(iv?.sections ?? new Map(), n), colWidth),
      table(`Top clients (last ${seconds(screen.refreshMs)})`, topEntries(iv?.clients ?? new Map(), n), colWidth),
    ),
    h(
      Box,
      { flexDirection: 'column', marginTop: 1 },
      h(Text, { bold: true, underline: true }, 'Security'),
      h(Text, { wrap: 'truncate' }, `Failed logins: ${sec?.failedLogins ?? 'n/a'}   FIM changed files: ${sec?.fimChanges ?? 'n/a'}`),
      h(Text, { wrap: 'truncate' }, `Top ${blockedTitle}: ${blocked}`),
    ),
    screen.history.length > 0
      ? h(
          Box,
          { flexDirection: 'column', marginTop: 1 },
          h(Text, { bold: true, underline: true }, 'Alert history'),
          screen.history.slice(-4).map((l, i) => h(Text, { key: i, wrap: 'truncate' }, l)),
        )
      : null,
    screen.error ? h(Text, { color: 'yellow', wrap: 'truncate' }, `! ${screen.error}`) : null,
    h(Text, { dimColor: true }, 'q: quit'),
  );
}

/** The live app: redraws on model updates and on terminal resizes; q or Ctrl-C quits. */
export function App({ model }: { model: Model }): ReactElement {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [screen, setScreen] = useState(model.screen);
  const [size, setSize] = useState({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  useEffect(() => model.subscribe(() => setScreen(model.screen)), [model]);
  useEffect(() => {
    const onResize = () => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  useInput((input) => {
    if (input === 'q') exit();
  });
  return h(TopView, { screen, columns: size.columns, rows: size.rows });
}
