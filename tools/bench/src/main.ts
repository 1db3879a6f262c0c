/**
 * `npm run bench [-- --quick] [--only …] [--profile] [--out file]` — throughput and latency of the
 * service against baselines measured in the same run on the same machine
 * (docs/benchmarks.md). Builds the apps, creates a private database (pandora_bench_<run id>, the
 * real migrations) and Redis key prefix, starts every app as a real process on free ports, runs
 * the five scenarios, prints a table, writes tmp/bench/<run id>.json and ends with the line
 * `BENCH_JSON {...}`. The database and the keys are removed at the end, whatever happens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContext } from './context';
import { renderProfile, summarizeProfile, type ProfileSummary } from './cpu-profile';
import { createPrivateInfrastructure, newRunId, WORKSPACE_ROOT, type PrivateInfrastructure } from './infrastructure';
import { parseOptions, UsageError, USAGE, type BenchOptions, type ScenarioName } from './options';
import { buildApps, runningProcesses, type RunDirectories } from './processes';
import { renderTable, type ScenarioOutcome } from './report';
import { betterAuthScenario } from './scenarios/better-auth';
import { cleanupScenario } from './scenarios/cleanup';
import { grpcGetUserScenario } from './scenarios/grpc-get-user';
import { loginScenario } from './scenarios/login';
import { mfaVerifyScenario } from './scenarios/mfa-verify';
import { passwordForgotScenario } from './scenarios/password-forgot';
import { relayScenario } from './scenarios/relay';
import { usersMeScenario } from './scenarios/users-me';
import type { BenchContext } from './context';

const SCENARIO_RUNNERS: Record<ScenarioName, (ctx: BenchContext) => Promise<ScenarioOutcome>> = {
  login: loginScenario,
  mfa_verify: mfaVerifyScenario,
  password_forgot: passwordForgotScenario,
  users_me: usersMeScenario,
  grpc_get_user: grpcGetUserScenario,
  relay: relayScenario,
  cleanup: cleanupScenario,
  better_auth: betterAuthScenario,
};

const started = performance.now();
function log(line: string): void {
  process.stderr.write(`[bench +${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
}

async function machineInfo(infra: PrivateInfrastructure | null): Promise<Record<string, unknown>> {
  const cpus = os.cpus();
  const info: Record<string, unknown> = {
    cores: cpus.length,
    cpu_model: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    load_average: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
  if (infra) {
    info.postgresql = (await infra.sql<{ server_version: string }>('SHOW server_version'))[0]?.server_version;
    info.redis = /redis_version:(\S+)/.exec(await infra.redis.info('server'))?.[1];
  }
  return info;
}

async function redisPid(infra: PrivateInfrastructure): Promise<number | null> {
  const match = /process_id:(\d+)/.exec(await infra.redis.info('server'));
  // Only a local redis-server's CPU time can be read from /proc.
  return match && fs.existsSync(`/proc/${match[1]}`) && new URL(infra.redisUrl).hostname.match(/^(127\.|localhost|::1)/)
    ? Number(match[1])
    : null;
}

async function run(options: BenchOptions): Promise<number> {
  const runId = newRunId();
  const root = path.join(WORKSPACE_ROOT, 'tmp', 'bench', runId);
  const dirs: RunDirectories = { root, logs: path.join(root, 'logs'), profiles: path.join(root, 'profiles') };
  fs.mkdirSync(dirs.logs, { recursive: true });
  if (options.profile) fs.mkdirSync(dirs.profiles, { recursive: true });
  const outFile = options.out ? path.resolve(options.out) : path.join(WORKSPACE_ROOT, 'tmp', 'bench', `${runId}.json`);
  log(
    `run ${runId}${options.quick ? ' (--quick)' : ''}: ${options.scenarios.join(', ')}; logs in ${path.relative(WORKSPACE_ROOT, dirs.logs)}`,
  );

  log('building the apps');
  await buildApps();
  let infra: PrivateInfrastructure | null = null;
  const outcomes: ScenarioOutcome[] = [];
  const errors: Partial<Record<ScenarioName, string>> = {};
  let machine: Record<string, unknown> = {};
  const stopEverything = async () => {
    await Promise.all(runningProcesses().map((processInfo) => processInfo.stop(5_000)));
    await infra?.dispose().catch((error: Error) => log(`cleanup failed: ${error.message}`));
    infra = null;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the apps and removing the private database`);
    void stopEverything().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    infra = await createPrivateInfrastructure(runId, log);
    machine = await machineInfo(infra);
    const ctx = createContext(options, infra, dirs, log, await redisPid(infra));
    for (const name of options.scenarios) {
      const scenarioStarted = performance.now();
      log(`── ${name}`);
      try {
        outcomes.push(await SCENARIO_RUNNERS[name](ctx));
      } catch (error) {
        errors[name] = error instanceof Error ? error.message : String(error);
        log(`${name} FAILED: ${errors[name]}`);
        await Promise.all(runningProcesses().map((processInfo) => processInfo.stop(5_000)));
      }
      log(`${name} took ${((performance.now() - scenarioStarted) / 1000).toFixed(1)} s`);
    }
    machine.load_average_end = os.loadavg().map((value) => Math.round(value * 100) / 100);
  } finally {
    await stopEverything();
  }

  let profiles: ProfileSummary[] = [];
  if (options.profile && fs.existsSync(dirs.profiles)) {
    profiles = fs
      .readdirSync(dirs.profiles, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.cpuprofile'))
      .sort()
      .map((file) => summarizeProfile(path.join(dirs.profiles, file), file));
    for (const profile of profiles) console.log(`${renderProfile(profile)}\n`);
  }

  const totalSeconds = Math.round((performance.now() - started) / 100) / 10;
  const benchJson: Record<string, unknown> = {};
  for (const outcome of outcomes) benchJson[outcome.name] = outcome.summary;
  for (const [name, message] of Object.entries(errors)) benchJson[name] = { error: message };
  const result = {
    run_id: runId,
    quick: options.quick,
    seconds: totalSeconds,
    machine,
    settings: {
      durations: options.durations,
      app_env: 'prod',
      log_level: options.logLevel,
      app_env_overrides: options.appEnv,
      rate_limits: 'disabled (RATE_LIMIT_ENABLED=false); account throttling on',
      argon2: 'm=65536 t=1 p=4',
    },
    summary: benchJson,
    scenarios: Object.fromEntries(outcomes.map((outcome) => [outcome.name, outcome.details])),
    errors,
    profiles,
    logs: path.relative(WORKSPACE_ROOT, dirs.logs),
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);

  console.log(renderTable(outcomes));
  for (const note of outcomes.flatMap((outcome) => outcome.notes ?? [])) console.log(note);
  console.log(
    `\nmachine: ${machine.cores} cores, ${machine.cpu_model}, Node ${machine.node}, PostgreSQL ${machine.postgresql ?? '?'}, Redis ${machine.redis ?? '?'}; ` +
      `load average ${JSON.stringify(machine.load_average)} → ${JSON.stringify(machine.load_average_end ?? null)}`,
  );
  for (const [name, message] of Object.entries(errors)) console.log(`${name}: FAILED — ${message}`);
  console.log(`total ${totalSeconds} s; JSON: ${path.relative(WORKSPACE_ROOT, outFile)}`);
  console.log(`BENCH_JSON ${JSON.stringify(benchJson)}`);
  return Object.keys(errors).length > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  if (fs.existsSync(path.join(WORKSPACE_ROOT, '.env'))) process.loadEnvFile(path.join(WORKSPACE_ROOT, '.env'));
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) console.error(error.message);
      console.error(USAGE);
      process.exit(error.message ? 2 : 0);
    }
    throw error;
  }
  process.exit(await run(options));
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
