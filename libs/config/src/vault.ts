import type { Env } from './connection-urls';
import { ConfigError } from './config-error';

/**
 * Secrets from HashiCorp Vault KV v2 (docs/configuration.md#secrets-from-vault), read once at start-up when VAULT_ENABLED=true.
 * VAULT_SECRET_PATH is `<mount>/<path>` (e.g. `secret/pandora/user-service`) or the API form
 * `<mount>/data/<path>`. Every string value of the secret becomes an environment variable of the
 * same name (e.g. JWT_SIGNING_KEYS, DB_PASSWORD, GRPC_AUTH_TOKENS) and wins over the process env,
 * so a stray env var cannot shadow the managed secret.
 */
export interface VaultSecrets {
  values: Record<string, string>;
  keys: string[];
}

export function vaultDataUrl(address: string, secretPath: string): string {
  const trimmed = secretPath.replace(/^\/+|\/+$/g, '');
  const [mount, ...rest] = trimmed.split('/');
  const path = rest[0] === 'data' ? rest.slice(1) : rest;
  if (!mount || path.length === 0) {
    throw new ConfigError([`VAULT_SECRET_PATH: expected <mount>/<path>, got "${secretPath}"`]);
  }
  return `${address.replace(/\/+$/, '')}/v1/${mount}/data/${path.join('/')}`;
}

export async function readVaultSecrets(env: Env, fetchImpl: typeof fetch = fetch): Promise<VaultSecrets> {
  const problems: string[] = [];
  if (!env.VAULT_ADDR) problems.push('VAULT_ADDR: required when VAULT_ENABLED=true (it is not set)');
  if (!env.VAULT_TOKEN) problems.push('VAULT_TOKEN: required when VAULT_ENABLED=true (it is not set)');
  if (!env.VAULT_SECRET_PATH) problems.push('VAULT_SECRET_PATH: required when VAULT_ENABLED=true (it is not set)');
  if (problems.length > 0) throw new ConfigError(problems);

  const url = vaultDataUrl(env.VAULT_ADDR as string, env.VAULT_SECRET_PATH as string);
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { 'X-Vault-Token': env.VAULT_TOKEN as string, Accept: 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    throw new ConfigError([`VAULT_ADDR: cannot reach Vault (${(error as Error).message})`]);
  }
  if (!response.ok) {
    throw new ConfigError([`VAULT_SECRET_PATH: Vault answered ${response.status} for the secret (check the path and token policy)`]);
  }
  const body = (await response.json()) as { data?: { data?: Record<string, unknown> } };
  const data = body.data?.data;
  if (!data || typeof data !== 'object') {
    throw new ConfigError(['VAULT_SECRET_PATH: the Vault response holds no KV v2 data']);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') values[key] = value;
    else if (value !== null && typeof value === 'object') values[key] = JSON.stringify(value);
  }
  return { values, keys: Object.keys(values).sort() };
}

/** The environment with Vault's values merged over it (when enabled). */
export async function withVaultSecrets(env: Env, fetchImpl: typeof fetch = fetch): Promise<{ env: Env; vaultKeys: string[] }> {
  if (!/^(true|1|yes|on)$/i.test(env.VAULT_ENABLED ?? '')) return { env, vaultKeys: [] };
  const secrets = await readVaultSecrets(env, fetchImpl);
  return { env: { ...env, ...secrets.values }, vaultKeys: secrets.keys };
}
