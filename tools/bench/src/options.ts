import { parseArgs } from 'node:util';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SCENARIOS = ['login', 'mfa_verify', 'password_forgot', 'users_me', 'grpc_get_user', 'relay', 'cleanup'] as const;
/** Comparisons with another product, installed on demand (`--peers`): never part of the default run. */
export const PEER_SCENARIOS = ['better_auth'] as const;
export type PeerScenarioName = (typeof PEER_SCENARIOS)[number];
export type ScenarioName = (typeof SCENARIOS)[number] | PeerScenarioName;
const ALL_SCENARIOS: readonly ScenarioName[] = [...SCENARIOS, ...PEER_SCENARIOS];

/** How long and how hard each measurement runs; `--quick` shrinks everything but the method. */
export interface Durations {
  /** Load before the first measured round of each side (JIT, pools, caches). */
  warmupMs: number;
  /** Baseline and measured side alternate this many times (interference hits both alike). */
  rounds: number;
  /** Length of one measured round of one side. */
  roundMs: number;
  /** Relay: how long events are produced at the fixed rate. */
  relayFixedRateMs: number;
  /** Relay: the backlog drained at saturation (and XADDed raw for the baseline). */
  relayBacklog: number;
  /** Cleanup: expired audit rows seeded for the worker. */
  cleanupRows: number;
  /** Cleanup: API latency sample taken without the worker before each of its `rounds` runs. */
  cleanupQuietMs: number;
}

export interface BenchOptions {
  quick: boolean;
  scenarios: ScenarioName[];
  /** Where the JSON result goes (default tmp/bench/<run id>.json). */
  out: string | null;
  /** Start every app with --cpu-prof and summarise the profiles. */
  profile: boolean;
  /** LOG_LEVEL of the apps: info (default) writes the access line of every request. */
  logLevel: LogLevel;
  /** `--set NAME=value`: extra environment of every app, to measure one setting against another. */
  appEnv: Record<string, string>;
  durations: Durations;
}

export const FULL: Durations = {
  warmupMs: 5_000,
  rounds: 3,
  roundMs: 10_000,
  relayFixedRateMs: 20_000,
  relayBacklog: 100_000,
  cleanupRows: 200_000,
  cleanupQuietMs: 5_000,
};

export const QUICK: Durations = {
  warmupMs: 1_500,
  rounds: 2,
  roundMs: 2_500,
  relayFixedRateMs: 5_000,
  relayBacklog: 20_000,
  // Half the full run's rows: seeding them is most of the scenario's time, and the smoke run must
  // stay under two minutes on the slower of the machines it runs on (121 s with 200,000).
  cleanupRows: 100_000,
  cleanupQuietMs: 2_000,
};

export const USAGE = `usage: npm run bench -- [--quick] [--only name,…] [--peers] [--profile] [--log-level level] [--set NAME=value] [--out file.json]
  --quick      short durations (a smoke run, under 2 minutes); same method and output
  --only       a subset of: ${ALL_SCENARIOS.join(', ')}
  --peers      also compare with other products (${PEER_SCENARIOS.join(', ')}), installed into tools/bench/peers/<name>/
  --profile    run the apps and the baselines with --cpu-prof and print where their CPU time went
  --log-level  LOG_LEVEL of the apps: ${LOG_LEVELS.join(', ')} (default info: every request's access line is written)
  --set        NAME=value in every app's environment (repeatable), e.g. --set ARGON2_WORKERS=0
  --out        where to write the JSON result (default tmp/bench/<run id>.json)`;

export class UsageError extends Error {}

export function parseOptions(argv: string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        peers: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'info' },
        set: { type: 'string', multiple: true, default: [] },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) throw new UsageError('');
  let scenarios: ScenarioName[] = [...SCENARIOS];
  if (values.only !== undefined) {
    const names = values.only
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !(ALL_SCENARIOS as readonly string[]).includes(name));
    if (unknown.length > 0 || names.length === 0)
      throw new UsageError(`--only: unknown scenario(s) ${unknown.join(', ') || '(none given)'}`);
    scenarios = ALL_SCENARIOS.filter((name) => names.includes(name));
  }
  // --peers adds every peer to whatever else was chosen; naming a peer in --only runs it alone.
  if (values.peers)
    scenarios = ALL_SCENARIOS.filter((name) => scenarios.includes(name) || (PEER_SCENARIOS as readonly string[]).includes(name));
  const logLevel = values['log-level'];
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level: one of ${LOG_LEVELS.join(', ')}`);
  const appEnv: Record<string, string> = {};
  for (const assignment of values.set) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(assignment);
    if (!match) throw new UsageError(`--set: expected NAME=value with an upper-case NAME (got "${assignment}")`);
    appEnv[match[1] as string] = match[2] as string;
  }
  return {
    quick: values.quick,
    scenarios,
    out: values.out ?? null,
    profile: values.profile,
    logLevel: logLevel as LogLevel,
    appEnv,
    durations: values.quick ? QUICK : FULL,
  };
}
