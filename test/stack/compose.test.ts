// docker-compose.yml checked by Debian's docker-compose (v1) `config`; no Docker engine is needed.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expectOk, run } from './tools.js';

describe('docker-compose', () => {
  it('`docker-compose config` accepts the stack and resolves every service', async () => {
    // docker-compose only needs a PATH and HOME; no DOCKER_HOST (config never contacts the engine).
    const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', COMPOSE_PROJECT_NAME: 'hostwatch' };
    const r = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { env });
    expectOk(r, 'docker-compose config');
    const cfg = parse(r.stdout);
    expect(Object.keys(cfg.services).sort()).toEqual(['alertmanager', 'grafana', 'hostwatch', 'prometheus']);
    expect(Object.keys(cfg.volumes).sort()).toEqual(['alertmanager-data', 'grafana-data', 'hostwatch-state', 'prometheus-data']);
    for (const [name, svc] of Object.entries<{ healthcheck?: unknown }>(cfg.services)) {
      expect(svc.healthcheck, `${name} has a healthcheck`).toBeDefined();
    }
    // The host is mounted read-only where hostwatch.docker.yml expects it.
    // docker-compose v1 prints volumes as "source:target:mode" strings.
    const mounts = (cfg.services.hostwatch.volumes as string[])
      .map((v) => v.split(':'))
      .filter(([, target]) => target.startsWith('/host/'))
      .map(([source, target, mode]) => `${source}:${target}:${mode.split(',')[0]}`);
    expect(mounts.sort()).toEqual(['/:/host/root:ro', '/proc:/host/proc:ro', '/sys:/host/sys:ro', '/var/log:/host/var/log:ro']);
    // The config comes from a mounted file (changing it needs no rebuild), at the path the image's CMD reads.
    const config = (cfg.services.hostwatch.volumes as string[]).find((v) => v.split(':')[1] === '/etc/hostwatch/hostwatch.yml');
    expect(config, 'hostwatch.docker.yml is mounted').toMatch(/\/hostwatch\.docker\.yml:\/etc\/hostwatch\/hostwatch\.yml:ro$/);
    // The obsolete top-level `version:` key is gone (Compose Specification).
    expect(readFileSync('docker-compose.yml', 'utf8')).not.toMatch(/^version:/m);
    // Grafana's admin password comes from the env file, and UIs listen on loopback only.
    expect(cfg.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toBeTruthy();
    for (const svc of ['grafana', 'prometheus', 'alertmanager']) {
      for (const p of cfg.services[svc].ports) expect(String(p)).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('fails on a broken compose file (the check is real)', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp' };
    const r = await run('docker-compose', ['-f', '-', 'config'], { env, input: 'services:\n  x:\n    image: a\n    volumes: 5\n' });
    expect(r.code).not.toBe(0);
  });
});
