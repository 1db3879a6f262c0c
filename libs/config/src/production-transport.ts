import type { AppEnv } from './app-env';

/**
 * What production refuses to run on (docs/configuration.md#production-transport): connections an
 * eavesdropper or a neighbour pod on the network could read or use, and abuse limits switched off.
 * Each rule is a small pure function of what is configured, returning a finding or null; the caller
 * feeds it (so a new way of configuring Redis only has to say whether it uses TLS and a password).
 * `ALLOW_INSECURE_PRIVATE_NETWORK=true` waives them all, and every app logs each waived rule once.
 */
export type TransportRule = 'redis-tls-and-password' | 'database-sslmode' | 'grpc-tokens-need-tls' | 'rate-limits-on';

export interface TransportFinding {
  rule: TransportRule;
  /** The variable to change, as the start-up error names it. */
  variable: string;
  problem: string;
}

export const ALLOW_INSECURE_PRIVATE_NETWORK = 'ALLOW_INSECURE_PRIVATE_NETWORK';

/** Where the rules are enforced. */
export function enforcesProductionTransport(appEnv: AppEnv): boolean {
  return appEnv === 'prod';
}

/** Redis must be reached over TLS and with a password: a plaintext or open Redis holds the lockout counters and idempotency answers. */
export function redisTransportFinding(variable: string, connection: { tls: boolean; passwordSet: boolean }): TransportFinding | null {
  const missing = [connection.tls ? null : 'TLS (rediss://)', connection.passwordSet ? null : 'a password'].filter(
    (part): part is string => part !== null,
  );
  if (missing.length === 0) return null;
  return { rule: 'redis-tls-and-password', variable, problem: `Redis without ${missing.join(' and ')}` };
}

/** TLS and password of a `redis://` / `rediss://` URL. */
export function redisConnectionOfUrl(url: string): { tls: boolean; passwordSet: boolean } {
  try {
    const parsed = new URL(url);
    return { tls: parsed.protocol === 'rediss:', passwordSet: parsed.password !== '' };
  } catch {
    return { tls: false, passwordSet: false };
  }
}

/** `sslmode` values that refuse a plaintext connection. */
const ENCRYPTED_SSLMODES = new Set(['require', 'verify-ca', 'verify-full']);

/** PostgreSQL must be reached over TLS: the connection carries password hashes, tokens' hashes and personal data. */
export function databaseTransportFinding(variable: string, url: string): TransportFinding | null {
  let sslmode: string | null = null;
  try {
    sslmode = new URL(url).searchParams.get('sslmode');
  } catch {
    // An unparseable URL is reported by the URL's own validation.
  }
  if (sslmode !== null && ENCRYPTED_SSLMODES.has(sslmode)) return null;
  return {
    rule: 'database-sslmode',
    variable,
    problem: `PostgreSQL without TLS (sslmode=${sslmode ?? 'unset'}; expected sslmode=require or verify-full)`,
  };
}

/** Service tokens are bearer secrets: over plaintext h2c anyone on the path can replay them. */
export function grpcTransportFinding(
  variable: string,
  server: { tokensConfigured: boolean; tlsConfigured: boolean },
): TransportFinding | null {
  if (!server.tokensConfigured || server.tlsConfigured) return null;
  return { rule: 'grpc-tokens-need-tls', variable, problem: 'service tokens over plaintext gRPC (h2c): configure TLS' };
}

/** The rate limits are what bounds guessing and enumeration per client; production never turns them off. */
export function rateLimitFinding(variable: string, enabled: boolean): TransportFinding | null {
  if (enabled) return null;
  return { rule: 'rate-limits-on', variable, problem: 'rate limits turned off' };
}

/**
 * The start-up problems the findings make in `appEnv`, or, with the override, the findings waived
 * (to be logged). Outside production both are empty.
 */
export function judgeProductionTransport(
  appEnv: AppEnv,
  findings: ReadonlyArray<TransportFinding | null>,
  allowInsecurePrivateNetwork: boolean,
): { problems: string[]; waived: TransportFinding[] } {
  const found = findings.filter((finding): finding is TransportFinding => finding !== null);
  if (!enforcesProductionTransport(appEnv) || found.length === 0) return { problems: [], waived: [] };
  if (allowInsecurePrivateNetwork) return { problems: [], waived: found };
  return {
    problems: found.map(
      (finding) =>
        `${finding.variable}: ${finding.problem} is refused when APP_ENV=${appEnv} (${ALLOW_INSECURE_PRIVATE_NETWORK}=true accepts it on a private network)`,
    ),
    waived: [],
  };
}

/** The one loud line an app writes at start-up when the override waived rules. */
export function logWaivedTransportRules(
  waived: readonly TransportFinding[],
  logger: { security(event: string, fields?: Record<string, unknown>): void },
): void {
  if (waived.length === 0) return;
  logger.security('insecure_transport_allowed', {
    override: ALLOW_INSECURE_PRIVATE_NETWORK,
    waived_rules: waived.map((finding) => `${finding.rule} (${finding.variable}: ${finding.problem})`),
  });
}
