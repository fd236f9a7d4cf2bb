// Run by test/fim/scan.test.ts as a child process, through setpriv without the capabilities that
// bypass permission bits when the tests run as root (see the CLI test): scans `root`, makes
// `root/locked` unreadable (mode 000), scans again with the first scan as the previous state, and
// prints what the second scan saw as JSON.
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { createPathFilter } from '../../../src/fim/glob.js';
import { WorkerPool } from '../../../src/fim/pool.js';
import { scanTree, type ScanOptions } from '../../../src/fim/scan.js';
import { RecordSet } from '../../../src/fim/record-set.js';

const root = process.argv[2];
const pool = new WorkerPool(1);
const opts = (previous: ScanOptions['previous']): ScanOptions => ({
  root,
  filter: createPathFilter(['**'], []),
  follow: false,
  maxFileSize: 1 << 30,
  previous,
  pool,
  pseudoMounts: new Set(),
});
try {
  const first = await scanTree(opts(new RecordSet()));
  chmodSync(path.join(root, 'locked'), 0);
  let second;
  try {
    second = await scanTree(opts(first.records));
  } finally {
    chmodSync(path.join(root, 'locked'), 0o755);
  }
  process.stdout.write(
    JSON.stringify({
      errors: second.errors,
      unreadable: second.unreadable,
      keptBelow: JSON.stringify(second.records.get('locked/x')) === JSON.stringify(first.records.get('locked/x')),
    }),
  );
} finally {
  await pool.close();
}
