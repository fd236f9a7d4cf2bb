// Which followed files a pass looks at again in a directory that did not change (the poll is the
// fallback for lost fs events): all of them up to POLL_WINDOW, else the next POLL_WINDOW in turn,
// so that a glob of thousands of files costs a bounded number of stats per pass at idle. Files
// written since the last pass (fs events) are always looked at.

/** Followed files looked at by one poll in a directory that did not change. */
export const POLL_WINDOW = 128;

export class PollWindow {
  private from = 0;

  /** The paths to look at in this pass, of `atPath` (the files followed at their paths) and `dirty`. */
  next(atPath: readonly string[], dirty: ReadonlySet<string>): Set<string> {
    if (atPath.length <= POLL_WINDOW) return new Set(atPath);
    const start = this.from % atPath.length;
    this.from = start + POLL_WINDOW;
    const window = [...atPath.slice(start, start + POLL_WINDOW), ...atPath.slice(0, Math.max(0, start + POLL_WINDOW - atPath.length))];
    return new Set([...window, ...dirty]);
  }
}
