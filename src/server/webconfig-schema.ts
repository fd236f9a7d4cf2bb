// Schema of the web configuration file (--web.config.file), in the Prometheus exporter-toolkit format
// (docs/web-configuration.md of github.com/prometheus/exporter-toolkit) so that a node_exporter web
// config works here unchanged, plus hostwatch's own `rate_limit` section. Strict objects: an unknown
// key is an error, as the toolkit's strict YAML unmarshalling makes it.
import { z } from 'zod';
import { duration } from '../config/fields.js';
import { bearerTokensSchema, rolesSchema, ROLES } from './roles.js';

/** Toolkit TLS version names → Node's. */
export const TLS_VERSIONS = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
} as const;
export type TlsVersionName = keyof typeof TLS_VERSIONS;
const TLS_VERSION_NAMES = Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]];

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/**
 * Go (IANA) cipher suite names, as the toolkit takes them, → OpenSSL names, as Node takes them.
 * TLS 1.3 suites are listed too: Go accepts their names but ignores them (TLS 1.3 suites are not
 * configurable in Go), so hostwatch keeps the TLS 1.3 defaults unless some are named here.
 */
export const CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
};

/** Go curve names → OpenSSL group names. */
export const CURVES: Record<string, string> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
};

/**
 * Response headers the toolkit lets a web config set, with the values it allows (undefined: any).
 * Other headers are refused, as in the toolkit: the exporter's own headers (Content-Type, ...) must
 * not be overridable.
 */
export const ALLOWED_HEADERS: Record<string, readonly string[] | undefined> = {
  'Strict-Transport-Security': undefined,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': undefined,
  'Content-Security-Policy': undefined,
};

/** A bcrypt hash as htpasswd -B or any bcrypt library writes it: $2a$/$2b$/$2y$, cost 4..31. */
const BCRYPT_RE = /^\$2[aby]?\$(\d{2})\$[./A-Za-z0-9]{53}$/;

export function bcryptProblem(hash: string): string | undefined {
  const m = BCRYPT_RE.exec(hash);
  if (!m) return 'not a bcrypt hash (expected $2y$10$ followed by 53 characters, as made by htpasswd -nBC 10 USER)';
  const cost = Number(m[1]);
  if (cost < 4 || cost > 31) return `bcrypt cost ${cost} is out of range 4..31`;
  return undefined;
}

const VERIFYING_AUTH_TYPES: ClientAuthType[] = ['VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

export const tlsServerConfigSchema = z
  .strictObject({
    cert_file: z.string().min(1).optional().describe('Server certificate (PEM, may include the chain), relative to the web config file'),
    key_file: z.string().min(1).optional().describe('Private key of the server certificate (PEM), relative to the web config file'),
    cert: z.string().min(1).optional().describe('Server certificate as inline PEM text, instead of cert_file'),
    key: z.string().min(1).optional().describe('Private key as inline PEM text, instead of key_file'),
    client_auth_type: z
      .enum(CLIENT_AUTH_TYPES)
      .default('NoClientCert')
      .describe('Client certificate policy, as Go tls.ClientAuthType (default NoClientCert)'),
    client_ca_file: z
      .string()
      .min(1)
      .optional()
      .describe('CA certificates (PEM) that client certificates are verified against; required by the verifying client_auth_types'),
    client_allowed_sans: z
      .array(z.string().min(1))
      .default([])
      .describe('When set, a verified client certificate must carry one of these subject alternative names (DNS, IP, email or URI)'),
    min_version: z.enum(TLS_VERSION_NAMES).default('TLS12').describe('Minimum TLS version: TLS10, TLS11, TLS12 or TLS13 (default TLS12)'),
    max_version: z.enum(TLS_VERSION_NAMES).default('TLS13').describe('Maximum TLS version (default TLS13)'),
    cipher_suites: z
      .array(z.enum(Object.keys(CIPHER_SUITES) as [string, ...string[]]))
      .default([])
      .describe('Allowed TLS 1.2 cipher suites by Go/IANA name (default: Node.js defaults)'),
    prefer_server_cipher_suites: z
      .boolean()
      .default(true)
      .describe("Choose the cipher suite in the server's order of preference (default true)"),
    curve_preferences: z
      .array(z.enum(Object.keys(CURVES) as [string, ...string[]]))
      .default([])
      .describe('Elliptic curves for key exchange, in order of preference (default: Node.js defaults)'),
  })
  .superRefine((c, ctx) => {
    for (const [file, inline] of [
      ['cert_file', 'cert'],
      ['key_file', 'key'],
    ] as const) {
      if (c[file] === undefined && c[inline] === undefined) {
        ctx.addIssue({ code: 'custom', path: [file], message: `required key is missing (or give ${inline} inline)` });
      } else if (c[file] !== undefined && c[inline] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [inline], message: `give either ${file} or ${inline}, not both` });
      }
    }
    if (VERIFYING_AUTH_TYPES.includes(c.client_auth_type) && c.client_ca_file === undefined) {
      ctx.addIssue({ code: 'custom', path: ['client_ca_file'], message: `required when client_auth_type is ${c.client_auth_type}` });
    }
    if (c.client_allowed_sans.length > 0 && !VERIFYING_AUTH_TYPES.includes(c.client_auth_type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['client_allowed_sans'],
        message: 'needs client_auth_type RequireAndVerifyClientCert or VerifyClientCertIfGiven (only verified certificates are checked)',
      });
    }
    if (TLS_VERSION_NAMES.indexOf(c.min_version) > TLS_VERSION_NAMES.indexOf(c.max_version)) {
      ctx.addIssue({ code: 'custom', path: ['max_version'], message: `${c.max_version} is below min_version ${c.min_version}` });
    }
  });

const headersSchema = z
  .record(z.string(), z.string())
  .default({})
  .superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      const canonical = Object.keys(ALLOWED_HEADERS).find((h) => h.toLowerCase() === name.toLowerCase());
      if (!canonical) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `this header cannot be configured (allowed: ${Object.keys(ALLOWED_HEADERS).join(', ')})`,
        });
        continue;
      }
      const allowed = ALLOWED_HEADERS[canonical];
      if (allowed && !allowed.includes(value.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `invalid value ${JSON.stringify(value)} (expected one of: ${allowed.join(', ')})`,
        });
      }
      if (/[\r\n]/.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: 'header values cannot contain line breaks' });
    }
  })
  .describe('Extra response headers (only the security headers the exporter-toolkit allows)');

export const httpServerConfigSchema = z.strictObject({
  headers: headersSchema,
  http2: z.boolean().default(true).describe('Accepted for compatibility with exporter-toolkit files; hostwatch serves HTTP/1.1 only'),
});

const basicAuthUsersSchema = z
  .record(z.string(), z.string())
  .default({})
  .superRefine((users, ctx) => {
    for (const [user, hash] of Object.entries(users)) {
      if (user === '' || user.includes(':')) {
        ctx.addIssue({
          code: 'custom',
          path: [user],
          message: 'user names must be non-empty and cannot contain ":" (basic auth splits at it)',
        });
      }
      const problem = bcryptProblem(String(hash));
      if (problem) ctx.addIssue({ code: 'custom', path: [user], message: problem });
    }
  })
  .describe('Users allowed in with HTTP basic auth: user name → bcrypt hash of the password');

export const rateLimitSchema = z
  .strictObject({
    interval: duration('Time to earn one request token back, per client address', '1s').refine((ms) => ms > 0, {
      message: 'must be more than 0',
    }),
    burst: z.number().int().positive().default(10).describe('Requests a client may make at once before it is limited (default 10)'),
  })
  .describe('Token-bucket rate limit per client address; over the limit → 429 with Retry-After');

// YAML turns `key:` with nothing after it into null: treat that as the section being absent.
const section = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === null ? undefined : v), schema.optional());

export const webConfigSchema = z
  .strictObject({
    tls_server_config: section(tlsServerConfigSchema).describe('Serve HTTPS with these TLS settings (absent: plain HTTP)'),
    http_server_config: z
      .preprocess((v) => (v === null ? undefined : v), httpServerConfigSchema.prefault({}))
      .describe('HTTP server settings'),
    basic_auth_users: z.preprocess((v) => (v === null ? undefined : v), basicAuthUsersSchema),
    rate_limit: section(rateLimitSchema),
    roles: section(rolesSchema),
    bearer_tokens: z.preprocess((v) => (v === null ? undefined : v), bearerTokensSchema),
  })
  .superRefine((c, ctx) => {
    // A role given to a user who cannot log in is a typo that would silently grant nothing.
    for (const role of ROLES) {
      (c.roles?.[role] ?? []).forEach((user, i) => {
        if (!(user in c.basic_auth_users))
          ctx.addIssue({ code: 'custom', path: ['roles', role, i], message: `user "${user}" is not in basic_auth_users` });
      });
    }
  });

export type WebConfigFile = z.infer<typeof webConfigSchema>;
export type TlsServerConfig = z.infer<typeof tlsServerConfigSchema>;
