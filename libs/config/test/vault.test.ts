// Vault cannot run on this machine, so a local HTTP server plays it: it answers the KV v2 read API
// (GET /v1/<mount>/data/<path> with X-Vault-Token) exactly as Vault documents it. Everything on
// our side (URL building, headers, merging, errors) is the real code.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../src/config-error';
import { loadUserApiConfig } from '../src/user-api.config';
import { vaultDataUrl, withVaultSecrets } from '../src/vault';

const TOKEN = 'hvs.test-token';
const KEYS = JSON.stringify([{ kid: 'vault-1', alg: 'HS256', status: 'active', secret: 'v'.repeat(64) }]);

let server: http.Server;
let address: string;
const requests: Array<{ url: string | undefined; token: string | string[] | undefined }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push({ url: req.url, token: req.headers['x-vault-token'] });
    if (req.headers['x-vault-token'] !== TOKEN) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"errors":["permission denied"]}');
      return;
    }
    if (req.url === '/v1/secret/data/pandora/user-service') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          data: { data: { JWT_SIGNING_KEYS: KEYS, DB_PASSWORD: 'from-vault', LOG_LEVEL: 'info' }, metadata: { version: 3 } },
        }),
      );
      return;
    }
    res.writeHead(404).end('{"errors":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Vault KV v2 secrets', () => {
  it('builds the KV v2 data URL from either path form', () => {
    expect(vaultDataUrl('https://vault:8200/', 'secret/pandora/user-service')).toBe(
      'https://vault:8200/v1/secret/data/pandora/user-service',
    );
    expect(vaultDataUrl('https://vault:8200', 'secret/data/pandora/user-service')).toBe(
      'https://vault:8200/v1/secret/data/pandora/user-service',
    );
  });

  it('is not consulted unless VAULT_ENABLED=true', async () => {
    const before = requests.length;
    const { env, vaultKeys } = await withVaultSecrets({ VAULT_ADDR: address });
    expect(vaultKeys).toEqual([]);
    expect(env).toEqual({ VAULT_ADDR: address });
    expect(requests.length).toBe(before);
  });

  it('merges the secret over the environment and reports only key names', async () => {
    const config = await loadUserApiConfig({
      APP_ENV: 'test',
      VAULT_ENABLED: 'true',
      VAULT_ADDR: address,
      VAULT_TOKEN: TOKEN,
      VAULT_SECRET_PATH: 'secret/pandora/user-service',
      DB_HOST: 'db.internal',
      DB_PASSWORD: 'from-env',
    });
    expect(requests.at(-1)).toEqual({ url: '/v1/secret/data/pandora/user-service', token: TOKEN });
    expect(config.auth.signingKeys?.[0]?.kid).toBe('vault-1');
    expect(config.database.url).toContain(':from-vault@db.internal');
    expect(config.logLevel).toBe('info');
    expect(config.vaultKeys).toEqual(['DB_PASSWORD', 'JWT_SIGNING_KEYS', 'LOG_LEVEL']);
  });

  it('fails start-up with a clear message when the token is refused', async () => {
    await expect(
      loadUserApiConfig({
        VAULT_ENABLED: 'true',
        VAULT_ADDR: address,
        VAULT_TOKEN: 'wrong',
        VAULT_SECRET_PATH: 'secret/pandora/user-service',
      }),
    ).rejects.toThrow(/Vault answered 403/);
  });

  it('names the missing Vault variables', async () => {
    const error = await loadUserApiConfig({ VAULT_ENABLED: 'true' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^VAULT_ADDR/),
      expect.stringMatching(/^VAULT_TOKEN/),
      expect.stringMatching(/^VAULT_SECRET_PATH/),
    ]);
  });

  it('reports an unreachable Vault', async () => {
    await expect(
      loadUserApiConfig({ VAULT_ENABLED: 'true', VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: TOKEN, VAULT_SECRET_PATH: 'secret/x' }),
    ).rejects.toThrow(/cannot reach Vault/);
  });
});
