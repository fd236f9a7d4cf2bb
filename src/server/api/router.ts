// The JSON API under /api/v1 (documented in docs/api.md, whose examples a test checks against this
// router): each endpoint declares the role it needs (roles.ts); bodies are JSON, at most 1 MiB.
// Errors are {"status":"error","error":"..."} like Prometheus's own API.
import express, { type Router, type Request, type Response, type NextFunction } from 'express';
import { z } from 'zod';
import { requireRole } from '../roles.js';
import type { Decision } from '../../remediation/engine.js';
import { formatIssues } from '../../config/errors.js';

export interface ApiHandlers {
  status(): Promise<unknown>;
  /** Validates an Alertmanager webhook payload, then decides and starts the actions for its alerts. */
  alerts(payload: unknown): { decisions: Decision[] } | { error: string };
  /** Accepts FIM changes under the paths (all roots when empty); throws Error for a bad path. */
  fimAccept(paths: string[]): Promise<unknown>;
}

const fimAcceptSchema = z.strictObject({
  paths: z.array(z.string().min(1).startsWith('/', 'must be an absolute path')).max(1000).default([]),
});

function badRequest(res: Response, error: string): void {
  res.status(400).json({ status: 'error', error });
}

export function createApiRouter(h: ApiHandlers): Router {
  const api = express.Router();
  const json = express.json({ limit: '1mb', type: () => true });

  api.get('/api/v1/status', requireRole('operator'), async (_req, res, next) => {
    try {
      res.json(await h.status());
    } catch (err) {
      next(err);
    }
  });

  api.post('/api/v1/alertmanager', requireRole('operator'), json, (req, res) => {
    const handled = h.alerts(req.body);
    if ('error' in handled) return badRequest(res, handled.error);
    res.json({
      status: 'success',
      decisions: handled.decisions.map((d) => ({
        action: d.action,
        fingerprint: d.fingerprint,
        event: d.event,
        result: d.result,
        ...(d.reason ? { reason: d.reason } : {}),
      })),
    });
  });

  api.post('/api/v1/fim/accept', requireRole('admin'), json, async (req, res) => {
    const parsed = fimAcceptSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, formatIssues(parsed.error).join('; '));
    try {
      res.json({ status: 'success', roots: await h.fimAccept(parsed.data.paths) });
    } catch (err) {
      badRequest(res, (err as Error).message);
    }
  });

  // Unknown API paths and wrong methods answer in JSON too.
  api.all('/api/{*rest}', (_req, res) => {
    res.status(404).json({ status: 'error', error: 'no such endpoint' });
  });
  // Malformed JSON bodies (express.json's SyntaxError) and other errors.
  api.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    void next;
    if (err.status && err.status < 500)
      return res
        .status(err.status)
        .json({ status: 'error', error: err.type === 'entity.too.large' ? 'request body too large' : 'malformed JSON body' });
    res.status(500).json({ status: 'error', error: 'internal error' });
  });
  return api;
}
