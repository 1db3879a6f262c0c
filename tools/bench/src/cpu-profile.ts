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

/** Self time per origin and per function of one profile; (idle) is left out of the shares. */
export function summarizeProfile(file: string, label = path.basename(file), top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const origins = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += us;
    const origin = originOf(frame.url, frame.functionName);
    origins.set(origin, (origins.get(origin) ?? 0) + us);
    const where = frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
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

/** `tsx tools/bench/src/cpu-profile.ts <file.cpuprofile>…`: the same summary for any profile. */
if (require.main === module) {
  for (const file of process.argv.slice(2)) console.log(renderProfile(summarizeProfile(file, path.basename(file), 25)));
}
