// The one lookup of the state directory (src/config/state-dir.ts), on real directories: the flag,
// the config's state_dir (relative to the config file), the service directory when it exists, data/
// beside the config file, and an install whose state is at the old default (./data of the working
// directory) keeping it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveStateDir } from '../../src/config/state-dir.js';

let dir: string;
let etc: string;
let cwd: string;
let serviceDir: string;
let configFile: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hw-state-dir-'));
  etc = path.join(dir, 'etc');
  cwd = path.join(dir, 'home');
  serviceDir = path.join(dir, 'var-lib-hostwatch');
  mkdirSync(etc);
  mkdirSync(cwd);
  configFile = path.join(etc, 'hostwatch.yml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveStateDir', () => {
  it('takes --state.dir first, relative to the working directory', () => {
    mkdirSync(serviceDir);
    expect(resolveStateDir('st', { state_dir: '/elsewhere' }, configFile, { cwd, serviceDir })).toEqual({
      dir: path.join(cwd, 'st'),
      from: '--state.dir',
    });
  });

  it("then the config's state_dir, relative to the config file's directory", () => {
    mkdirSync(serviceDir);
    expect(resolveStateDir(undefined, { state_dir: 'state' }, configFile, { cwd, serviceDir })).toEqual({
      dir: path.join(etc, 'state'),
      from: 'state_dir',
    });
    expect(resolveStateDir(undefined, { state_dir: '/srv/hw' }, 'hostwatch.yml', { cwd, serviceDir }).dir).toBe('/srv/hw');
    // A relative --config.file is relative to the working directory, and so is its state_dir then.
    expect(resolveStateDir(undefined, { state_dir: 'state' }, '../etc/hostwatch.yml', { cwd, serviceDir }).dir).toBe(
      path.join(etc, 'state'),
    );
  });

  it('then the service directory when it exists, else data/ beside the config file, wherever it runs from', () => {
    expect(resolveStateDir(undefined, {}, configFile, { cwd, serviceDir })).toEqual({ dir: path.join(etc, 'data'), from: 'default' });
    expect(resolveStateDir(undefined, {}, configFile, { cwd: dir, serviceDir }).dir).toBe(path.join(etc, 'data'));
    mkdirSync(serviceDir);
    expect(resolveStateDir(undefined, {}, configFile, { cwd, serviceDir })).toEqual({ dir: serviceDir, from: 'default' });
  });

  it('keeps the state of an install at the old default (./data of the working directory), with a note', () => {
    mkdirSync(path.join(cwd, 'data'));
    // An empty ./data is not state: the new default applies.
    expect(resolveStateDir(undefined, {}, configFile, { cwd, serviceDir }).dir).toBe(path.join(etc, 'data'));
    mkdirSync(path.join(cwd, 'data', 'checkpoints'));
    const old = resolveStateDir(undefined, {}, configFile, { cwd, serviceDir });
    expect(old.dir).toBe(path.join(cwd, 'data'));
    expect(old.note).toContain(`state_dir: ${path.join(cwd, 'data')}`);
    // Once data/ beside the config file exists, it is the one.
    mkdirSync(path.join(etc, 'data'));
    expect(resolveStateDir(undefined, {}, configFile, { cwd, serviceDir })).toEqual({ dir: path.join(etc, 'data'), from: 'default' });
  });
});
