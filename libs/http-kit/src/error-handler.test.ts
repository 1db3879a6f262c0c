import { ERROR_CATALOG, ERROR_CODES, type ErrorCode } from '@pandora/errors';
import { SECURITY_REFUSAL, type SecurityRefusal } from './error-handler';

describe('the security line of a refused request', () => {
  it('is written for exactly the 401, 403 and 429 codes of the catalog', () => {
    const byStatus: Record<number, SecurityRefusal> = { 401: 'authentication_failed', 403: 'access_denied', 429: 'rate_limited' };
    for (const code of ERROR_CODES) {
      expect([code, SECURITY_REFUSAL[code]]).toEqual([code, byStatus[ERROR_CATALOG[code].httpStatus] ?? null]);
    }
  });

  it('is decided for every catalog code, so a new code does not compile without a decision', () => {
    // Compiles only while the mapping is total (`npm run typecheck` checks test files too).
    const total: Record<ErrorCode, SecurityRefusal | null> = SECURITY_REFUSAL;
    // What the compiler reports once the catalog grows a code the mapping lacks:
    // @ts-expect-error NEW_CODE is not decided
    const grown: Record<ErrorCode | 'NEW_CODE', SecurityRefusal | null> = SECURITY_REFUSAL;
    expect(Object.keys(total).sort()).toEqual([...ERROR_CODES].sort());
    expect(grown).toBe(total);
  });
});
