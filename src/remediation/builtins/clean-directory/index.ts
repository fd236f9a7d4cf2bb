// clean_directory: deletes the regular files under a directory not modified for `older_than`,
// without following symbolic links or leaving the directory's filesystem (like find -xdev -type f
// -mtime). Directories themselves are kept; a file that vanishes meanwhile is not an error.
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { duration } from '../../../config/fields.js';
import { PATTERNS } from '../../patterns.js';
import type { BuiltinAction } from '../types.js';

const schema = z.strictObject({
  name: z.literal('clean_directory'),
  path: z
    .string()
    .refine((p) => PATTERNS.path.test(p) && p !== '/', 'an absolute path other than / without "." or ".." segments')
    .describe('Directory to clean'),
  older_than: duration('Files not modified for this long are deleted', '7d'),
});

type Params = z.output<typeof schema>;

export const cleanDirectory: BuiltinAction<Params> = {
  name: 'clean_directory',
  schema,
  async run(p, ctx) {
    const cutoff = ctx.now() - p.older_than;
    const top = await lstat(p.path);
    if (!top.isDirectory()) return { ok: false, summary: `${p.path} is not a directory` };
    let deleted = 0;
    let bytes = 0;
    let errors = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (ctx.signal.aborted) return;
        const full = path.join(dir, entry.name);
        try {
          const st = await lstat(full);
          if (st.dev !== top.dev) continue;
          if (st.isDirectory()) await walk(full);
          else if (st.isFile() && st.mtimeMs < cutoff) {
            await unlink(full);
            deleted++;
            bytes += st.size;
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') errors++;
        }
      }
    };
    await walk(p.path);
    const summary = `deleted ${deleted} files (${bytes} bytes) under ${p.path}${errors ? `, ${errors} errors` : ''}${ctx.signal.aborted ? ', stopped by the timeout' : ''}`;
    return { ok: errors === 0 && !ctx.signal.aborted, summary };
  },
};
