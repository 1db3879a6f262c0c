import fs from 'node:fs';
import path from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import { AppError, ERROR_CATALOG, ERROR_CODES } from '@pandora/errors';
import { WORKSPACE_ROOT } from '@pandora/testing';
import { GRPC_STATUS, toGrpcStatus } from './status-mapping';

/**
 * docs/errors.md is what clients read to handle errors: its table must say exactly what the
 * catalog (HTTP status) and the gRPC mapping decide, code by code — as the gRPC caller receives it.
 */
const doc = fs.readFileSync(path.join(WORKSPACE_ROOT, 'docs/errors.md'), 'utf8');
const catalog = doc.slice(doc.indexOf('## The catalog'), doc.indexOf('\n## ', doc.indexOf('## The catalog') + 1));

interface DocumentedCode {
  httpStatus: number;
  grpcStatus: string;
  when: string;
}

/** `| 409 | \`INVALID_KYC_TRANSITION\` | when | \`FAILED_PRECONDITION\` |` rows of the catalog table. */
const documented = new Map<string, DocumentedCode>(
  [...catalog.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \| (.+) \| `([A-Z_]+)` \|$/gm)].map((match) => [
    match[2] as string,
    { httpStatus: Number(match[1]), when: match[3] as string, grpcStatus: match[4] as string },
  ]),
);

describe('docs/errors.md', () => {
  it('documents every catalog code and no other, in catalog order', () => {
    expect([...documented.keys()]).toEqual([...ERROR_CODES]);
  });

  it.each(ERROR_CODES)('gives %s its HTTP status and the gRPC status callers receive', (code) => {
    const row = documented.get(code);
    const received = toGrpcStatus(new AppError(code)).status.code;
    expect(row && { httpStatus: row.httpStatus, grpcStatus: row.grpcStatus }).toEqual({
      httpStatus: ERROR_CATALOG[code].httpStatus,
      grpcStatus: Status[received],
    });
    expect(received).toBe(GRPC_STATUS[code]);
    expect(row?.when.length).toBeGreaterThan(20);
  });
});
