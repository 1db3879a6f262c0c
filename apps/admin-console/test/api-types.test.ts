import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@pandora/testing';

/**
 * The console's API types are generated from the admin OpenAPI document (itself checked against the
 * routes by apps/user-api/test/openapi.test.ts and operability/openapi-files.test.ts), so a change
 * to the admin API reaches the console's type check instead of drifting silently.
 */
describe('apps/admin-console/src/api/generated/admin-api.ts', () => {
  it('is what openapi-typescript makes of docs/openapi/user-api.admin.json (run `npm run openapi:generate` when this fails)', () => {
    const generated = execFileSync(process.execPath, ['tools/scripts/console-api-types.mjs', '--stdout'], {
      cwd: WORKSPACE_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    }).toString();
    const committed = fs.readFileSync(path.join(WORKSPACE_ROOT, 'apps/admin-console/src/api/generated/admin-api.ts'), 'utf8');
    expect(committed).toBe(generated);
  }, 30_000);
});
