/**
 * `npm run openapi:generate`: writes the OpenAPI documents of user-api's public and admin listeners
 * to docs/openapi/ (or the directory given). A test fails when the committed files are stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openApiDocuments, OPENAPI_FILES, serialize } from './lib/openapi-documents';

async function main(): Promise<void> {
  const directory = path.resolve(process.argv[2] ?? 'docs/openapi');
  fs.mkdirSync(directory, { recursive: true });
  const documents = await openApiDocuments();
  for (const listener of ['public', 'admin'] as const) {
    const file = path.join(directory, OPENAPI_FILES[listener]);
    fs.writeFileSync(file, serialize(documents[listener]));
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`openapi:generate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
