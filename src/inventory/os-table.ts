// The (os, version) pairs met during an import, interned to small numbers. Bounded: past MAX_PAIRS
// distinct pairs (a file full of garbage OS strings) every new pair is __other__. The exported label
// values are capped again, to the `max_os_values` most frequent, when the import is aggregated.
export const OTHER = '__other__';
const MAX_PAIRS = 10_000;

export class OsTable {
  private readonly index = new Map<string, number>();
  readonly os: string[] = [];
  readonly version: string[] = [];

  constructor() {
    this.add(OTHER, OTHER);
  }

  private add(os: string, version: string): number {
    const i = this.os.length;
    this.os.push(os);
    this.version.push(version);
    this.index.set(`${os}\u0000${version}`, i);
    return i;
  }

  get otherIndex(): number {
    return 0;
  }

  intern(os: string, version: string): number {
    const i = this.index.get(`${os}\u0000${version}`);
    if (i !== undefined) return i;
    return this.os.length >= MAX_PAIRS ? 0 : this.add(os, version);
  }

  get size(): number {
    return this.os.length;
  }
}
