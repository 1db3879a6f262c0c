import { PassThrough } from 'node:stream';
import { NoTerminalError, readPassword } from './read-password';

const FIRST_PROMPT = 'Password for the new administrator: ';
const SECOND_PROMPT = 'Repeat it: ';
const ENTER = '\r';
const BACKSPACE = '\x7f';
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const LEFT_ARROW = '\x1b[D';

/** A terminal as the prompt sees process.stdin/stderr: keystrokes arrive raw, one chunk per key. */
function fakeTerminal(isTTY = true) {
  const input = Object.assign(new PassThrough(), { isTTY, setRawMode: jest.fn() });
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  return {
    terminal: { input, output },
    input,
    written: () => written,
    /** Waits for `prompt` to be shown (again), then sends each key as the terminal would. */
    async answer(prompt: string, occurrence: number, ...keys: Array<string | Buffer>) {
      for (let turn = 0; written.split(prompt).length - 1 < occurrence; turn++) {
        if (turn > 100) throw new Error(`"${prompt}" was never shown; written so far: ${JSON.stringify(written)}`);
        await nextTurn();
      }
      for (const key of keys) {
        input.write(key);
        await nextTurn();
      }
    },
  };
}

/** Fails fast instead of letting a prompt that never settles run into Jest's timeout. */
function settledWithin<T>(pending: Promise<T>, ms = 2_000): Promise<T> {
  return Promise.race([
    pending,
    new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms).unref()),
  ]);
}

const keysOf = (text: string) => [...text];

describe('the password prompt of admin:create on a terminal', () => {
  it('asks twice, returns what was typed, never echoes it, and leaves raw mode after each answer', async () => {
    const fake = fakeTerminal();
    const password = readPassword({ fromStdin: false }, fake.terminal);
    await fake.answer(FIRST_PROMPT, 1, ...keysOf('Corr3ct horse!'), ENTER);
    await fake.answer(SECOND_PROMPT, 1, ...keysOf('Corr3ct horse!'), ENTER);

    expect(await settledWithin(password)).toBe('Corr3ct horse!');
    expect(fake.written()).toBe(`${FIRST_PROMPT}\n${SECOND_PROMPT}\n`);
    expect(fake.input.setRawMode.mock.calls).toEqual([[true], [false], [true], [false]]);
    expect(fake.input.listenerCount('data')).toBe(0);
  });

  it('lets backspace delete the last character, a whole one even when it is not ASCII', async () => {
    const fake = fakeTerminal();
    const password = readPassword({ fromStdin: false }, fake.terminal);
    await fake.answer(FIRST_PROMPT, 1, BACKSPACE, ...keysOf('sécrex'), BACKSPACE, 't', ...keysOf('é'), '\b', ENTER);
    await fake.answer(SECOND_PROMPT, 1, ...keysOf('sécret'), ENTER);
    expect(await settledWithin(password)).toBe('sécret');
  });

  it('puts a character split across chunks back together, and ignores arrow keys', async () => {
    const fake = fakeTerminal();
    const password = readPassword({ fromStdin: false }, fake.terminal);
    const umlaut = Buffer.from('ü');
    await fake.answer(FIRST_PROMPT, 1, 'm', umlaut.subarray(0, 1), umlaut.subarray(1), LEFT_ARROW, 'x', ENTER);
    await fake.answer(SECOND_PROMPT, 1, ...keysOf('müx'), ENTER);
    expect(await settledWithin(password)).toBe('müx');
  });

  it('ends an answer at Enter, whether the terminal sends CR or LF', async () => {
    const fake = fakeTerminal();
    const password = readPassword({ fromStdin: false }, fake.terminal);
    await fake.answer(FIRST_PROMPT, 1, 'a', 'b', '\n');
    await fake.answer(SECOND_PROMPT, 1, 'a', 'b', '\r');
    expect(await settledWithin(password)).toBe('ab');
  });

  it('refuses two different answers', async () => {
    const fake = fakeTerminal();
    const refusal = expect(settledWithin(readPassword({ fromStdin: false }, fake.terminal))).rejects.toThrow('the passwords do not match');
    await fake.answer(FIRST_PROMPT, 1, ...keysOf('first'), ENTER);
    await fake.answer(SECOND_PROMPT, 1, ...keysOf('second'), ENTER);
    await refusal;
  });

  it.each([
    ['Ctrl-C', ['s', 'e', CTRL_C]],
    ['Ctrl-D on an empty line', [CTRL_D]],
  ])('aborts on %s, restoring the terminal', async (_key, keys) => {
    const fake = fakeTerminal();
    const abort = expect(settledWithin(readPassword({ fromStdin: false }, fake.terminal))).rejects.toThrow('password entry cancelled');
    await fake.answer(FIRST_PROMPT, 1, ...keys);

    await abort;
    expect(fake.input.setRawMode.mock.calls).toEqual([[true], [false]]);
    expect(fake.input.listenerCount('data')).toBe(0);
    expect(fake.written()).toBe(`${FIRST_PROMPT}\n`);
  });

  it('aborts when the terminal closes before Enter', async () => {
    const fake = fakeTerminal();
    const abort = expect(settledWithin(readPassword({ fromStdin: false }, fake.terminal))).rejects.toThrow('password entry cancelled');
    await fake.answer(FIRST_PROMPT, 1, 'x');
    fake.input.end();
    await abort;
    expect(fake.input.setRawMode).toHaveBeenLastCalledWith(false);
  });
});

describe('the password of admin:create from stdin', () => {
  it.each([
    ['on a terminal', true],
    ['from a pipe', false],
  ])('with --password-stdin %s: reads it whole, without its final newline and without a prompt', async (_case, isTTY) => {
    const fake = fakeTerminal(isTTY);
    const password = readPassword({ fromStdin: true }, fake.terminal);
    fake.input.end('pass word\r\nwith two lines\n');
    expect(await settledWithin(password)).toBe('pass word\r\nwith two lines');
    expect(fake.written()).toBe('');
    expect(fake.input.setRawMode).not.toHaveBeenCalled();
  });

  it('without --password-stdin and without a terminal: says so instead of reading whatever stdin holds', async () => {
    const fake = fakeTerminal(false);
    fake.input.end('not meant as a password\n');
    await expect(settledWithin(readPassword({ fromStdin: false }, fake.terminal))).rejects.toBeInstanceOf(NoTerminalError);
    expect(fake.written()).toBe('');
  });
});
