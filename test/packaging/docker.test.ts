// The Dockerfile, read without a Docker engine (there is none here; docker-compose.yml itself is
// checked by test/stack/compose.test.ts): every file it copies from the build context is there and not
// excluded by .dockerignore, and the image reads its config from the file docker-compose.yml mounts,
// so that changing the config needs no rebuild.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/main.js';

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
/** Instructions, with line continuations joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** Whether .dockerignore keeps `path` (or a directory above it) out of the build context. */
function dockerIgnored(path: string): boolean {
  const patterns = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const parts = path.split('/');
  return parts.some((_, i) => picomatch.isMatch(parts.slice(0, i + 1).join('/'), patterns, { dot: true }));
}

describe('Dockerfile', () => {
  it('copies only files that exist in the build context', () => {
    const copies = instructions.filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l));
    expect(copies.length).toBeGreaterThan(3);
    const problems: string[] = [];
    for (const copy of copies) {
      const sources = copy.split(/\s+/).slice(1, -1);
      for (const s of sources) {
        if (!existsSync(join(REPO_ROOT, s))) problems.push(`${copy}: ${s} does not exist`);
        else if (dockerIgnored(s.replace(/\/$/, ''))) problems.push(`${copy}: ${s} is excluded by .dockerignore`);
      }
    }
    expect(problems).toEqual([]);
    // The check sees exclusions.
    expect(dockerIgnored('test/fixtures/x.log')).toBe(true);
    expect(dockerIgnored('src/main.ts')).toBe(false);
  });

  it('reads its config from the file docker-compose.yml mounts, and keeps its state on the compose volume', () => {
    const cmd = JSON.parse(instructions.find((l) => l.startsWith('CMD '))!.slice(4)) as string[];
    const flag = (name: string) => cmd.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { hostwatch: { volumes: string[] } };
    };
    const volumes = compose.services.hostwatch.volumes.map((v) => v.split(':'));
    expect(volumes).toContainEqual(['./hostwatch.docker.yml', flag('config.file'), 'ro']);
    expect(volumes).toContainEqual(['hostwatch-state', flag('state.dir')]);
    expect(instructions).toContain(`VOLUME ${flag('state.dir')}`);
    // Without compose the image still starts: its default config is the same file, copied in.
    expect(instructions).toContain(`COPY hostwatch.docker.yml ${flag('config.file')}`);
  });

  it('runs node with the same V8 flags as `npm start` and the installed command (the shebang of src/main.ts)', () => {
    const entrypoint = JSON.parse(instructions.find((l) => l.startsWith('ENTRYPOINT '))!.slice(11)) as string[];
    const start = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const shebang = readFileSync(join(REPO_ROOT, 'src/main.ts'), 'utf8').split('\n')[0];
    const flags = entrypoint.slice(1, entrypoint.indexOf('dist/main.js'));
    expect(entrypoint[0]).toBe('node');
    expect(flags).toContain('--max-semi-space-size=1');
    expect(start).toBe(`exec node ${flags.join(' ')} dist/main.js --config.file=hostwatch.yml`);
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags.join(' ')}`);
  });
});
