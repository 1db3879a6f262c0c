import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@pandora/testing';
import { openApiDocuments, OPENAPI_FILES, serialize } from '../../src/cli/lib/openapi-documents';

describe('docs/openapi', () => {
  it.each(['public', 'admin'] as const)(
    'holds the current %s document (run `npm run openapi:generate` when this fails)',
    async (listener) => {
      const documents = await openApiDocuments();
      const committed = fs.readFileSync(path.join(WORKSPACE_ROOT, 'docs/openapi', OPENAPI_FILES[listener]), 'utf8');
      expect(committed).toBe(serialize(documents[listener]));
    },
  );
});
