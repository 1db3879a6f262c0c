import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareProfiles, summarizeProfile } from './cpu-profile';

/** A profile of root → (idle) | Module._load → require | parserOnIncoming → handler, with µs per frame. */
function writeProfile(dir: string, name: string, selfUs: { idle: number; startUp: number; parser: number; handler: number }): string {
  const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
    id,
    callFrame: { functionName, url, lineNumber: id },
    children,
  });
  const nodes = [
    frame(1, '(root)', '', [2, 3, 5]),
    frame(2, '(idle)', ''),
    frame(3, 'Module._load', 'node:internal/modules/cjs/loader', [4]),
    frame(4, 'require', 'node:internal/modules/helpers'),
    frame(5, 'parserOnIncoming', 'node:_http_server', [6]),
    frame(6, 'handler', 'file:///work/dist/apps/user-api/main.js'),
  ];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (const [id, us] of [
    [2, selfUs.idle],
    [4, selfUs.startUp],
    [5, selfUs.parser],
    [6, selfUs.handler],
  ] as const) {
    samples.push(id);
    timeDeltas.push(us);
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ nodes, samples, timeDeltas }));
  return file;
}

describe('cpu profiles', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profiles-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves idle time and module loading out of the busy time and the shares', () => {
    const file = writeProfile(dir, 'a.cpuprofile', { idle: 9_000, startUp: 5_000, parser: 1_000, handler: 3_000 });
    const summary = summarizeProfile(file);
    expect(summary.busyMs).toBe(4);
    expect(summary.byFunction).toEqual([
      { fn: 'handler main.js:7', ms: 3, share: 0.75 },
      { fn: 'parserOnIncoming node:_http_server:6', ms: 1, share: 0.25 },
    ]);
  });

  it('compares two sides per request by scaling each profile to its own CPU per request', () => {
    const ours = writeProfile(dir, 'ours.cpuprofile', { idle: 0, startUp: 50_000, parser: 2_000, handler: 6_000 });
    const theirs = writeProfile(dir, 'theirs.cpuprofile', { idle: 0, startUp: 1_000, parser: 3_000, handler: 1_000 });
    expect(compareProfiles({ file: ours, usPerRequest: 400 }, { file: theirs, usPerRequest: 200 })).toEqual([
      { fn: 'handler main.js:7', measuredUs: 300, baselineUs: 50 },
      { fn: 'parserOnIncoming node:_http_server:6', measuredUs: 100, baselineUs: 150 },
    ]);
  });
});
