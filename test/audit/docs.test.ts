// docs/audit.md: its tables are generated from the checks and the Lynis mapping (scripts/audit-docs.ts)
// and must be current; the README links to it and names the command.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateAuditDoc } from '../../scripts/audit-docs.js';
import { CHECKS } from '../../src/audit/checks/index.js';
import { REPO } from '../stack/tools.js';

describe('docs/audit.md', () => {
  const doc = readFileSync(join(REPO, 'docs/audit.md'), 'utf8');

  it('has current tables (run `npx tsx scripts/audit-docs.ts` when this fails)', () => {
    expect(updateAuditDoc(doc)).toBe(doc);
    for (const c of CHECKS) expect(doc).toContain(`\`${c.id}\``);
    expect(doc).toContain('| FIRE-4512 | `FW-ACTIVE` |');
  });

  it('is linked from the README, which shows the command', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(readme).toContain('(docs/audit.md)');
    expect(readme).toContain('hostwatch audit');
  });
});
