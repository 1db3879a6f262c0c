import crypto from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { CallerAuthenticator, type Authentication } from './caller-authenticator';

const WALLET = 'wallet-token-0123456789abcdef0123456789abcdef';
const TRADING = 'trading-token-0123456789abcdef0123456789abcde';
const REPORTING = 'reporting-token-0123456789abcdef0123456789ab';
const TOKENS = [
  { name: 'wallet', token: WALLET },
  { name: 'trading-engine', token: TRADING },
  { name: 'reporting', token: REPORTING },
];
/** What grpc-js reports for a plaintext connection: no peer certificate. */
const PLAINTEXT = {};

function withAuthorization(...values: string[]): Metadata {
  const metadata = new Metadata();
  for (const value of values) metadata.add('authorization', value);
  return metadata;
}

function authenticate(authenticator: CallerAuthenticator, ...authorization: string[]): Authentication {
  return authenticator.authenticate(withAuthorization(...authorization), PLAINTEXT);
}

function reasonOf(outcome: Authentication): string {
  return 'reason' in outcome ? outcome.reason : `accepted as ${outcome.caller.name}`;
}

describe('service-token authentication', () => {
  const authenticator = new CallerAuthenticator(TOKENS, false);

  it('accepts every configured token and names its caller', () => {
    for (const { name, token } of TOKENS) {
      expect(authenticate(authenticator, `Bearer ${token}`)).toEqual({ caller: { name, via: 'token' } });
    }
    expect(authenticate(authenticator, `bearer ${TRADING}`)).toEqual({ caller: { name: 'trading-engine', via: 'token' } });
  });

  it.each([
    ['a token nobody was given', 'Bearer not-a-configured-token-0123456789abcdef'],
    ['a prefix of a configured token', `Bearer ${WALLET.slice(0, -1)}`],
    ['a configured token with one character more', `Bearer ${WALLET}f`],
    ['a token differing only in its last character', `Bearer ${WALLET.slice(0, -1)}e`],
    ['two configured tokens joined', `Bearer ${WALLET}${TRADING}`],
  ])('refuses %s as an invalid token', (_case, authorization) => {
    const outcome = authenticate(authenticator, authorization);
    expect(reasonOf(outcome)).toBe('invalid_token');
    expect(outcome).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });

  it.each([
    ['no authorization metadata', []],
    ['an empty bearer token', ['Bearer ']],
    ['an empty value', ['']],
    ['another scheme', [`Basic ${WALLET}`]],
    ['a token without a scheme', [WALLET]],
    ['a token followed by more words', [`Bearer ${WALLET} extra`]],
    ['two authorization values', [`Bearer ${WALLET}`, `Bearer ${TRADING}`]],
  ])('refuses %s as missing credentials', (_case, authorization) => {
    const outcome = authenticate(authenticator, ...authorization);
    expect(reasonOf(outcome)).toBe('missing_token');
    expect(outcome).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('compares the presented token with every configured one, in equal-length digests, whether one matches or not', () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      for (const presented of [WALLET, REPORTING, `${WALLET.slice(0, -1)}e`, 'x']) {
        compare.mockClear();
        authenticate(authenticator, `Bearer ${presented}`);
        expect([presented, compare.mock.calls.length]).toEqual([presented, TOKENS.length]);
        for (const [a, b] of compare.mock.calls) expect([a.byteLength, b.byteLength]).toEqual([32, 32]);
      }
    } finally {
      compare.mockRestore();
    }
  });

  it('never matches a digest of a configured token presented as the token', () => {
    const digest = crypto.createHash('sha256').update(WALLET).digest('hex');
    expect(reasonOf(authenticate(authenticator, `Bearer ${digest}`))).toBe('invalid_token');
  });
});

describe('callers without service tokens', () => {
  it('are anonymous when neither tokens nor mTLS are configured (dev/test only), whatever they send', () => {
    const open = new CallerAuthenticator([], false);
    expect(open.mode).toBe('none');
    expect(authenticate(open)).toEqual({ caller: { name: 'anonymous', via: 'none' } });
    expect(authenticate(open, 'Bearer anything')).toEqual({ caller: { name: 'anonymous', via: 'none' } });
  });

  it('are refused on a connection without a client certificate when mTLS is configured, even with a valid token', () => {
    const mtls = new CallerAuthenticator(TOKENS, true);
    expect(mtls.mode).toBe('token+mtls');
    expect(reasonOf(authenticate(mtls, `Bearer ${WALLET}`))).toBe('no_client_certificate');
  });
});
