// The default file system watcher: fs.watch on a directory (inotify on Linux). Watching the
// directory, not the files, sees creations, renames and deletions as well as writes. Events only
// wake the tailer up; what changed is always found by looking (stat, fstat), so a lost or
// coalesced event costs at most one poll interval.
import { watch } from 'node:fs';

export interface Watcher {
  close(): void;
}

/**
 * Watches `dir`; calls onChange(name, event) on any event: 'change' for a write, 'rename' for a
 * creation, rename or deletion. Returns undefined when the dir cannot be watched.
 */
export type WatchFn = (
  dir: string,
  onChange: (name: string | null, event: 'change' | 'rename') => void,
  onError: (err: Error) => void,
) => Watcher | undefined;

export const fsWatch: WatchFn = (dir, onChange, onError) => {
  try {
    const w = watch(dir, { persistent: false }, (event, name) =>
      onChange(name ? String(name) : null, event === 'change' ? 'change' : 'rename'),
    );
    w.on('error', onError);
    return w;
  } catch {
    return undefined; // missing directory (or too many watches): polling covers it
  }
};

/** No events at all: the tailer works by polling only (tests drive it with poll()). */
export const noWatch: WatchFn = () => undefined;
