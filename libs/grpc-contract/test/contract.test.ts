import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@pandora/testing';

/**
 * The proto contract's CI checks, run by `npm test`: buf lint, buf breaking against the committed
 * baseline, and "the committed generated code is what the proto files generate". All offline.
 */
const execFileAsync = promisify(execFile);
const BUF = path.join(WORKSPACE_ROOT, 'node_modules/@bufbuild/buf/bin/buf');
const PROTO_SCRIPT = path.join(WORKSPACE_ROOT, 'tools/scripts/proto.mjs');
const GENERATED_DIR = 'libs/grpc-contract/src/generated';
const BASELINE = path.join(WORKSPACE_ROOT, 'proto/breaking-baseline.json');

async function run(command: string, args: string[], cwd = WORKSPACE_ROOT): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [command, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), fs.readFileSync(full));
    }
  }
  return files;
}

let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'grpc-contract-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the proto contract', () => {
  it('passes buf lint', async () => {
    const result = await run(BUF, ['lint']);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('has no breaking change against the committed baseline', async () => {
    const result = await run(BUF, ['breaking', '--against', BASELINE]);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('regenerates exactly the committed TypeScript', async () => {
    const result = await run(PROTO_SCRIPT, ['generate', '--out', scratch]);
    expect(result.code).toBe(0);
    const fresh = filesUnder(path.join(scratch, GENERATED_DIR));
    const committed = filesUnder(path.join(WORKSPACE_ROOT, GENERATED_DIR));
    expect([...fresh.keys()].sort()).toEqual([...committed.keys()].sort());
    const changed = [...fresh].filter(([name, content]) => !committed.get(name)?.equals(content)).map(([name]) => name);
    expect(changed).toEqual([]);
  });

  it('makes buf breaking fail when a field of the contract is renumbered', async () => {
    fs.cpSync(path.join(WORKSPACE_ROOT, 'proto'), path.join(scratch, 'proto'), { recursive: true });
    fs.copyFileSync(path.join(WORKSPACE_ROOT, 'buf.yaml'), path.join(scratch, 'buf.yaml'));
    const file = path.join(scratch, 'proto/pandora/user/v1/user_service.proto');
    const original = fs.readFileSync(file, 'utf8');
    const edited = original.replace('string updated_by = 3;', 'string updated_by = 4;');
    expect(edited).not.toBe(original);
    fs.writeFileSync(file, edited);

    const result = await run(BUF, ['breaking', '--against', BASELINE], scratch);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/UpdateKYCRequest/);
  });

  it('makes buf lint fail on a new file that breaks the style rules', async () => {
    fs.cpSync(path.join(WORKSPACE_ROOT, 'proto'), path.join(scratch, 'proto'), { recursive: true });
    fs.copyFileSync(path.join(WORKSPACE_ROOT, 'buf.yaml'), path.join(scratch, 'buf.yaml'));
    fs.writeFileSync(
      path.join(scratch, 'proto/pandora/user/v1/extra.proto'),
      'syntax = "proto3";\npackage pandora.user.v1;\nmessage bad_name { string Field = 1; }\n',
    );

    const result = await run(BUF, ['lint'], scratch);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/bad_name/);
  });
});
