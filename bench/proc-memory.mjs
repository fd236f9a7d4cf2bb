// Shared by the benchmarks: memory figures of a live process from /proc/<pid>/status, and the Node.js
// flags hostwatch is deployed with.
//
// RSS alone misleads for a Node.js process: ~35 MB of a bare `node` is file-backed pages of the node
// binary itself (code, V8 snapshot, ICU data), shared with every other node process and reclaimable
// by the kernel. So the benchmarks print VmRSS together with its split:
//   RssAnon: private memory (V8 heap, malloc, stacks): what the process really costs;
//   RssFile: file-backed pages (the node binary, shared libraries, native addons).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** kB figures of /proc/<pid>/status: rss (VmRSS), hwm (VmHWM, peak RSS), anon (RssAnon), file (RssFile). */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Like memory(), undefined once the process is gone. */
export function tryMemory(pid) {
  try {
    return memory(pid);
  } catch {
    return undefined;
  }
}

/**
 * Samples a process every `ms` and keeps the sample of highest RSS, so that the anon/file split
 * at the peak can be printed (VmHWM has the peak total only). stop() returns that sample.
 */
export function peakSampler(pid, ms = 20) {
  let peak = tryMemory(pid);
  const timer = setInterval(() => {
    const m = tryMemory(pid);
    if (m && (!peak || m.rss > peak.rss)) peak = m;
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      const m = tryMemory(pid);
      if (m && (!peak || m.rss > peak.rss)) peak = m;
      return peak;
    },
  };
}

/** "73.8 MB (anon 28.1 + file 45.7)" from a memory() result, or the field given. */
export function formatMemory(m, field = 'rss') {
  if (!m) return 'n/a';
  const mb = (kb) => (kb / 1024).toFixed(1);
  return `${mb(m[field])} MB (anon ${mb(m.anon)} + file ${mb(m.file)})`;
}

/**
 * The Node.js flags hostwatch runs with under `npm start` (package.json scripts.start, e.g.
 * `node --max-semi-space-size=1 dist/main.js`; the Dockerfile entrypoint and the shebang of
 * dist/main.js use the same), so that a benchmark measures what is deployed.
 */
export function deployedNodeFlags() {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts?.start ?? '';
  const m = /\bnode((?:\s+--\S+)*)\s+dist\/main\.js/.exec(start);
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
}
