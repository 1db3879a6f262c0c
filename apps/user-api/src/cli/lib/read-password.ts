import { StringDecoder } from 'node:string_decoder';

/** Where the password comes from and the prompts go: process.stdin and process.stderr, or a test's streams. */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  output: NodeJS.WritableStream;
}

const PROCESS_TERMINAL: Terminal = { input: process.stdin, output: process.stderr };

const CTRL_C = '\x03';
const CTRL_D = '\x04';
const ESC = '\x1b';
const BACKSPACES = new Set(['\x7f', '\b']);
const ENTERS = new Set(['\r', '\n']);

/** The whole of stdin, without its trailing newline (for `printf '%s' pw | …` and `… < file`). */
async function readStdin(input: Terminal['input']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Prompts without echoing anything typed, not even the cursor moving (which would tell the
 * password's length). Raw mode hands over each key: Enter ends the answer, backspace deletes the
 * last character, Ctrl-C (no SIGINT in raw mode) and Ctrl-D on an empty line abort, other control
 * keys and escape sequences (arrow keys, which arrive as one chunk) are ignored. Keys after Enter
 * in the same chunk are dropped rather than typed into the next prompt.
 */
function prompt(question: string, { input, output }: Terminal): Promise<string> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    const typed: string[] = [];

    const finish = (settle: () => void) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      settle();
    };
    const cancel = () => finish(() => reject(new Error('password entry cancelled')));
    const onEnd = cancel;
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      // for…of walks code points, so backspace removes a whole character.
      for (const key of text) {
        if (ENTERS.has(key)) return finish(() => resolve(typed.join('')));
        if (key === CTRL_C || (key === CTRL_D && typed.length === 0)) return cancel();
        if (key === ESC) return;
        if (BACKSPACES.has(key)) typed.pop();
        else if (key >= ' ') typed.push(key);
      }
    };

    output.write(question);
    input.setRawMode?.(true);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}

/**
 * Neither a terminal to prompt on nor --password-stdin: reading stdin anyway would take whatever
 * happens to be there (often nothing) as the password, and the policy would then call it weak.
 */
export class NoTerminalError extends Error {
  constructor() {
    super('there is no terminal to ask for the password on (stdin is not a TTY); pass it on stdin with --password-stdin');
    this.name = 'NoTerminalError';
  }
}

export async function readPassword(options: { fromStdin: boolean }, terminal: Terminal = PROCESS_TERMINAL): Promise<string> {
  if (options.fromStdin) return readStdin(terminal.input);
  if (!terminal.input.isTTY) throw new NoTerminalError();
  const password = await prompt('Password for the new administrator: ', terminal);
  const again = await prompt('Repeat it: ', terminal);
  if (password !== again) throw new Error('the passwords do not match');
  return password;
}
