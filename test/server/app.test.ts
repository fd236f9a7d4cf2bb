// The routes of the express app: landing page, telemetry path, health and readiness, 404.
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../../src/server/app.js';
import { Runner } from '../../src/exporter/runner.js';
import { SharedScrapes } from '../../src/exporter/scrape.js';
import { silentLogger } from '../../src/core/log.js';
import { VERSION } from '../../src/core/version.js';

function app(opts: { telemetryPath?: string; ready?: boolean } = {}) {
  const runner = new Runner([], silentLogger, 1000);
  return createApp({
    telemetryPath: opts.telemetryPath ?? '/metrics',
    scrapes: new SharedScrapes(() => runner.collect()),
    ready: () => opts.ready ?? true,
  });
}

describe('express app', () => {
  it('landing page lists the endpoints and the version', async () => {
    const res = await request(app()).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain(`version ${VERSION}`);
    for (const path of ['/metrics', '/-/healthy', '/-/ready']) expect(res.text).toContain(`<a href="${path}">`);
  });

  it('serves metrics under a custom telemetry path, escaped on the landing page', async () => {
    const a = app({ telemetryPath: '/x"<y>' });
    const landing = await request(a).get('/');
    expect(landing.text).toContain('<a href="/x&#34;&#60;y&#62;">');
    expect(landing.text).not.toContain('/x"<y>');
    const metrics = await request(a).get('/x%22%3Cy%3E');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toContain('hostwatch_build_info{');
    expect((await request(a).get('/metrics')).status).toBe(404);
  });

  it('the telemetry path is literal, never a route pattern', async () => {
    const a = app({ telemetryPath: '/probe:name/*' });
    expect((await request(a).get('/probe:name/*')).status).toBe(200);
    expect((await request(a).get('/probe:other/anything')).status).toBe(404);
    expect((await request(a).get('/probe')).status).toBe(404);
    expect((await request(app()).get('/metrics/')).status).toBe(404);
    expect((await request(app()).get('/metricsX')).status).toBe(404);
    expect((await request(app()).get('/%E0%A4%A')).status).toBe(404); // undecodable: not a crash
  });

  it('health, readiness and unknown paths', async () => {
    expect((await request(app()).get('/-/healthy')).text).toBe('Healthy\n');
    expect((await request(app({ ready: false })).get('/-/ready')).status).toBe(503);
    expect((await request(app({ ready: true })).get('/-/ready')).status).toBe(200);
    const missing = await request(app()).get('/etc/passwd');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('Not found\n');
    expect((await request(app()).head('/metrics')).status).toBe(200);
    expect((await request(app()).post('/metrics')).status).toBe(405);
    expect((await request(app()).get('/')).headers['x-powered-by']).toBeUndefined();
  });
});
