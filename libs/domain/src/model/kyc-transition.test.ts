import { AppError } from '@pandora/errors';
import { KYC_STATUSES, type KycStatus } from './kyc-status';
import { assertKycTransition, kycTransitionOutcome, type KycChangeActor } from './kyc-transition';

// The complete table of docs/accounts.md#kyc-status, written out independently of the implementation.
const EXPECTED: Record<KycChangeActor, Record<KycStatus, Record<KycStatus, 'unchanged' | 'allowed' | 'forbidden'>>> = {
  user: {
    pending: { pending: 'unchanged', verified: 'forbidden', rejected: 'forbidden' },
    verified: { pending: 'forbidden', verified: 'unchanged', rejected: 'forbidden' },
    rejected: { pending: 'allowed', verified: 'forbidden', rejected: 'unchanged' },
  },
  admin: {
    pending: { pending: 'unchanged', verified: 'allowed', rejected: 'allowed' },
    verified: { pending: 'forbidden', verified: 'unchanged', rejected: 'allowed' },
    rejected: { pending: 'allowed', verified: 'forbidden', rejected: 'unchanged' },
  },
  service: {
    pending: { pending: 'unchanged', verified: 'allowed', rejected: 'allowed' },
    verified: { pending: 'forbidden', verified: 'unchanged', rejected: 'allowed' },
    rejected: { pending: 'forbidden', verified: 'forbidden', rejected: 'unchanged' },
  },
};

const cases = (Object.keys(EXPECTED) as KycChangeActor[]).flatMap((actor) =>
  KYC_STATUSES.flatMap((from) => KYC_STATUSES.map((to) => [actor, from, to, EXPECTED[actor][from][to]] as const)),
);

describe('KYC transitions', () => {
  it('covers every actor and every from/to pair', () => {
    expect(cases).toHaveLength(3 * 3 * 3);
  });

  it.each(cases)('%s: %s → %s is %s', (actor, from, to, expected) => {
    expect(kycTransitionOutcome(actor, from, to)).toBe(expected);
    if (expected === 'forbidden') {
      expect(() => assertKycTransition(actor, from, to)).toThrow(AppError);
      try {
        assertKycTransition(actor, from, to);
      } catch (error) {
        expect((error as AppError).code).toBe('INVALID_KYC_TRANSITION');
      }
    } else {
      expect(assertKycTransition(actor, from, to)).toBe(expected === 'allowed');
    }
  });
});
