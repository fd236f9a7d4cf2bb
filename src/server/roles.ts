// Roles and bearer tokens, hostwatch's extension of the exporter-toolkit web config:
//   roles:          {viewer: [user...], operator: [user...], admin: [user...]}  (basic_auth_users names)
//   bearer_tokens:  [{file: /etc/hostwatch/token, role: operator}]
// viewer may read /metrics and /; operator also the status API and the remediation webhook; admin
// also the FIM accept endpoint. A basic auth user listed under no role is a viewer (the behaviour
// before roles existed). Without credentials (or wrong ones) the answer is 401; with valid ones
// whose role is too low, 403. Without any authentication configured, /metrics stays open and the
// operator and admin endpoints answer 403: nothing can act on the host without a role granted.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import { AUTH_REALM, BasicAuth, parseBasicAuth } from './basic-auth.js';
import { QueueFullError } from './bcrypt-pool.js';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** Tokens shorter than this are refused: a bearer token is the whole secret. */
export const MIN_TOKEN_LENGTH = 16;

export const rolesSchema = z
  .strictObject({
    viewer: z.array(z.string()).default([]).describe('Users who may read /metrics and / (every basic auth user is at least a viewer)'),
    operator: z.array(z.string()).default([]).describe('Users who may also read /api/v1/status and post to /api/v1/alertmanager'),
    admin: z.array(z.string()).default([]).describe('Users who may also accept FIM changes with POST /api/v1/fim/accept'),
  })
  .describe('Roles of the basic_auth_users (hostwatch extension); a user under several roles gets the highest');

export const bearerTokensSchema = z
  .array(
    z.strictObject({
      file: z.string().min(1).describe('File holding the token (surrounding whitespace ignored), relative to the web config file'),
      role: z.enum(ROLES).default('viewer').describe('Role granted to requests carrying this token (default viewer)'),
    }),
  )
  .default([])
  .describe(
    "Bearer tokens (Authorization: Bearer <token>, as Prometheus's `authorization` scrape setting sends) read from files (hostwatch extension)",
  );

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Reads the token files; problems as `bearer_tokens[i].file: what is wrong`. */
export async function readBearerTokens(
  entries: z.output<typeof bearerTokensSchema>,
  baseDir: string,
): Promise<{ tokens: { digest: Buffer; role: Role }[]; problems: string[] }> {
  const tokens: { digest: Buffer; role: Role }[] = [];
  const problems: string[] = [];
  for (const [i, e] of entries.entries()) {
    const file = path.resolve(baseDir, e.file);
    try {
      const token = (await readFile(file, 'utf8')).trim();
      if (token.length < MIN_TOKEN_LENGTH)
        problems.push(`bearer_tokens[${i}].file: token in ${file} is shorter than ${MIN_TOKEN_LENGTH} characters`);
      else if (/\s/.test(token)) problems.push(`bearer_tokens[${i}].file: token in ${file} contains whitespace`);
      else tokens.push({ digest: sha256(token), role: e.role });
    } catch (err) {
      problems.push(`bearer_tokens[${i}].file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return { tokens, problems };
}

export function roleOf(res: Response): Role | undefined {
  return res.locals.role as Role | undefined;
}

/**
 * Authenticates every request by basic auth or bearer token and puts the role in res.locals.role.
 * Every route needs at least the viewer role, so a request without valid credentials gets 401.
 */
export class Authenticator {
  private readonly userRoles = new Map<string, Role>();

  constructor(
    private readonly basic: BasicAuth | undefined,
    roles: z.output<typeof rolesSchema> | undefined,
    private readonly tokens: { digest: Buffer; role: Role }[],
  ) {
    for (const role of ROLES) for (const user of roles?.[role] ?? []) this.userRoles.set(user, role); // ascending: highest wins
  }

  private challenge(res: Response): void {
    const schemes = [];
    if (this.basic) schemes.push(`Basic realm="${AUTH_REALM}"`);
    if (this.tokens.length > 0) schemes.push(`Bearer realm="${AUTH_REALM}"`);
    res.status(401).set('WWW-Authenticate', schemes.join(', ')).type('text/plain').send('Unauthorized\n');
  }

  /** The role of a bearer token, comparing against every configured token (no early exit). */
  private tokenRole(token: string): Role | undefined {
    const d = sha256(token);
    let role: Role | undefined;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, d) && role === undefined) role = t.role;
    return role;
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const header = req.headers.authorization;
      const bearer = header ? /^bearer[ ]+(\S+)\s*$/i.exec(header) : null;
      if (bearer) {
        const role = this.tokenRole(bearer[1]);
        if (!role) return this.challenge(res);
        res.locals.role = role;
        return next();
      }
      const creds = this.basic ? parseBasicAuth(header) : undefined;
      if (!creds) return this.challenge(res);
      this.basic!.verify(creds.user, creds.password).then(
        (ok) => {
          if (!ok) return this.challenge(res);
          res.locals.role = this.userRoles.get(creds.user) ?? 'viewer';
          res.locals.user = creds.user;
          next();
        },
        (err) => {
          if (err instanceof QueueFullError)
            res.status(429).set('Retry-After', '1').type('text/plain').send('Too many login attempts in progress\n');
          else next(err);
        },
      );
    };
  }
}

/** 403 unless the authenticated role is at least `min`. With no authentication configured, nobody has a role. */
export function requireRole(min: Role): RequestHandler {
  return (_req, res, next) => {
    const role = roleOf(res);
    if (role !== undefined && RANK[role] >= RANK[min]) return next();
    const why =
      role === undefined
        ? `the web config grants no ${min} role (configure basic_auth_users with roles, or bearer_tokens)`
        : `role ${role} may not use this endpoint (needs ${min})`;
    res.status(403).json({ status: 'error', error: `forbidden: ${why}` });
  };
}
