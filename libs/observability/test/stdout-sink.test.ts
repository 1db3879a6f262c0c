import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(__dirname, 'fixtures/log-then-exit.ts');

function spawnFixture(lines: number, mode: 'exit' | 'stall', stdout: 'pipe' | number) {
  return spawn(process.execPath, ['--import', 'tsx', FIXTURE, String(lines), mode], { cwd: ROOT, stdio: ['ignore', stdout, 'pipe'] });
}

/** Every line of the fixture, in order: 0 … lines-1, then "last". */
function expectEveryLine(text: string, lines: number): void {
  const parsed = text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { message: string; i?: number });
  expect(parsed).toHaveLength(lines + 1);
  expect(parsed.slice(0, lines).every((line, index) => line.message === 'line' && line.i === index)).toBe(true);
  expect(parsed[lines]?.message).toBe('last');
}

describe('the non-blocking stdout of the logger', () => {
  it('writes every line logged before process.exit to a pipe, in order', async () => {
    const child = spawnFixture(20_000, 'exit', 'pipe');
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    // 'close': the process has exited and its stdout has ended.
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(0);
    expectEveryLine(text, 20_000);
  }, 30_000);

  it('writes every line logged before process.exit to a file, in order', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stdout-sink-')), 'stdout.log');
    const fd = fs.openSync(file, 'w');
    try {
      const child = spawnFixture(20_000, 'exit', fd);
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
    } finally {
      fs.closeSync(fd);
    }
    expectEveryLine(fs.readFileSync(file, 'utf8'), 20_000);
  }, 30_000);

  it('keeps the event loop free while the reader stops reading, and still delivers every line', async () => {
    // ~1.3 MB: far more than a pipe and this side's stream buffer hold while nobody reads.
    const child = spawnFixture(5_000, 'stall', 'pipe');
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // stdout is not read until the child's event loop has shown it is not stuck in a write.
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', () => stderr.includes('loop free') && resolve());
      child.once('close', () => reject(new Error(`exited before its timer ran: ${stderr}`)));
    });
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    // 'close': the process has exited and its stdout has ended.
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(0);
    expectEveryLine(text, 5_000);
  }, 30_000);
});
