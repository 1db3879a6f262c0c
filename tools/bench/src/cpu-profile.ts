import fs from 'node:fs';
import path from 'node:path';
import { round } from './stats';

/** The parts of a V8 .cpuprofile (node --cpu-prof) this summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Busy time: every sample but (idle). */
  busyMs: number;
  /** Self time by where the code lives: an npm package, the app bundle, Node internals, GC. */
  byOrigin: Array<{ origin: string; ms: number; share: number }>;
  /** Self time by function (name and location). */
  byFunction: Array<{ fn: string; ms: number; share: number }>;
}

function originOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1] as string;
  if (url.startsWith('node:')) return 'node:internal';
  if (url.includes('/dist/apps/')) return 'app bundle (libs + app)';
  return path.basename(url);
}

/** Frames under which a sample is start-up (loading modules), not serving: left out of every figure. */
const START_UP = new Set(['Module._load', 'executeUserEntryPoint']);

/**
 * Self time of each frame of a profile, in µs, without (idle) and without start-up. A process
 * profiled for a whole run also loaded its modules and, for user-api, hashed the bench users'
 * passwords before the first measured request; start-up is left out here, the rest is not.
 */
export function selfTimes(file: string): Array<{ frame: CpuProfile['nodes'][number]['callFrame']; us: number }> {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const startUp = new Map<number, boolean>();
  const isStartUp = (id: number): boolean => {
    const known = startUp.get(id);
    if (known !== undefined) return known;
    const parent = parentOf.get(id);
    const answer = START_UP.has(byId.get(id)?.callFrame.functionName ?? '') || (parent !== undefined && isStartUp(parent));
    startUp.set(id, answer);
    return answer;
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const times: Array<{ frame: CpuProfile['nodes'][number]['callFrame']; us: number }> = [];
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)' || isStartUp(id)) continue;
    times.push({ frame, us });
  }
  return times;
}

function functionKey(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const where = frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'} ${where}`.trim();
}

/** Self time per origin and per function of one profile; (idle) and start-up are left out. */
export function summarizeProfile(file: string, label = path.basename(file), top = 15): ProfileSummary {
  const origins = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const { frame, us } of selfTimes(file)) {
    busy += us;
    const origin = originOf(frame.url, frame.functionName);
    origins.set(origin, (origins.get(origin) ?? 0) + us);
    const key = functionKey(frame);
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round(us / 1000), share: round(us / busy) }));
  return {
    file: label,
    busyMs: round(busy / 1000),
    byOrigin: ranked(origins).map(({ name, ms, share }) => ({ origin: name, ms, share })),
    byFunction: ranked(functions).map(({ name, ms, share }) => ({ fn: name, ms, share })),
  };
}

export interface ProfileSide {
  file: string;
  /** The side's event-loop CPU per request (µs), from the run's /proc accounting. */
  usPerRequest: number;
}

/**
 * Where one side of a ratio spends more per request than the other, function by function: each
 * profile's shares scaled to that side's measured event-loop CPU per request. A profile's shares
 * hold for every request it saw; the accounting says what a request costs.
 */
export function compareProfiles(
  measured: ProfileSide,
  baseline: ProfileSide,
  top = 30,
): Array<{ fn: string; measuredUs: number; baselineUs: number }> {
  const perRequest = (side: ProfileSide) => {
    const times = selfTimes(side.file);
    const busy = times.reduce((sum, { us }) => sum + us, 0);
    const byFunction = new Map<string, number>();
    for (const { frame, us } of times) {
      const key = functionKey(frame);
      byFunction.set(key, (byFunction.get(key) ?? 0) + (us / busy) * side.usPerRequest);
    }
    return byFunction;
  };
  const ours = perRequest(measured);
  const theirs = perRequest(baseline);
  return [...new Set([...ours.keys(), ...theirs.keys()])]
    .map((fn) => ({ fn, measuredUs: round(ours.get(fn) ?? 0), baselineUs: round(theirs.get(fn) ?? 0) }))
    .sort((a, b) => b.measuredUs - b.baselineUs - (a.measuredUs - a.baselineUs))
    .slice(0, top);
}

export function renderProfile(summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  return [
    `${summary.file}: ${summary.busyMs} ms busy`,
    '  by origin:',
    ...summary.byOrigin.map((entry) => `    ${pct(entry.share)}  ${entry.origin}`),
    '  by function (self time):',
    ...summary.byFunction.map((entry) => `    ${pct(entry.share)}  ${entry.fn}`),
  ].join('\n');
}

/**
 * `tsx tools/bench/src/cpu-profile.ts <file.cpuprofile>…`: the same summary for any profile.
 * `tsx tools/bench/src/cpu-profile.ts --compare tmp/bench/<run id> [users_me|grpc_get_user]`: per
 * request, function by function, the app's event loop against its baseline's, from a `--profile` run.
 */
if (require.main === module) {
  const [first, ...rest] = process.argv.slice(2);
  if (first === '--compare' && rest[0]) {
    const runDir = rest[0].replace(/\.json$/, '');
    const scenario = rest[1] ?? 'users_me';
    const sides = { users_me: ['user-api.users_me', 'baseline.bare-express'], grpc_get_user: ['user-grpc.', 'baseline.bare-grpc'] }[
      scenario
    ];
    if (!sides) throw new Error(`--compare knows users_me and grpc_get_user, not ${scenario}`);
    const result = JSON.parse(fs.readFileSync(`${runDir}.json`, 'utf8')) as {
      scenarios: Record<string, Record<string, { app_main_thread: number } | undefined>>;
    };
    const figures = result.scenarios[scenario] ?? {};
    const cpu = (prefix: string) => (figures[`${prefix}cpu_ms_per_request`] ?? figures[`${prefix}cpu_ms_per_call`])?.app_main_thread ?? NaN;
    // The event loop's profile is thread 0's: Node names it CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile.
    const mainThreadProfile = (prefix: string) => {
      const folder = fs.readdirSync(path.join(runDir, 'profiles')).find((name) => name.startsWith(prefix));
      const file = folder && fs.readdirSync(path.join(runDir, 'profiles', folder)).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name));
      if (!folder || !file) throw new Error(`no event-loop profile of ${prefix} in ${runDir}/profiles (run the bench with --profile)`);
      return path.join(runDir, 'profiles', folder, file);
    };
    const measured = { file: mainThreadProfile(sides[0] as string), usPerRequest: cpu('') * 1000 };
    const baseline = { file: mainThreadProfile(sides[1] as string), usPerRequest: cpu('baseline_') * 1000 };
    console.log(`${scenario}: event-loop CPU per request ${round(measured.usPerRequest)} µs against ${round(baseline.usPerRequest)} µs`);
    console.log('   ours  baseline  more  function (self time, µs per request)');
    for (const row of compareProfiles(measured, baseline, 40))
      console.log(
        `${row.measuredUs.toFixed(1).padStart(7)} ${row.baselineUs.toFixed(1).padStart(9)} ${(row.measuredUs - row.baselineUs).toFixed(1).padStart(5)}  ${row.fn}`,
      );
  } else {
    for (const file of [first, ...rest].filter((file): file is string => file !== undefined))
      console.log(renderProfile(summarizeProfile(file, path.basename(file), 25)));
  }
}
