import { ENV_KEYS, withPgClient } from './test-infrastructure';

type Started = { stop: () => Promise<unknown> };
const globalState = globalThis as typeof globalThis & { __pandoraContainers?: Started[]; __pandoraTornDown?: boolean };

export default async function globalTeardown(): Promise<void> {
  if (globalState.__pandoraTornDown) return;
  globalState.__pandoraTornDown = true;
  const runId = process.env[ENV_KEYS.runId];
  const adminUrl = process.env[ENV_KEYS.adminDatabaseUrl];
  if (runId && adminUrl) {
    await withPgClient(adminUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2', [
        `pandora_tpl_${runId}`,
        `pandora_test_${runId}_%`,
      ]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  }
  for (const container of globalState.__pandoraContainers ?? []) await container.stop();
}
