import readline from 'node:readline';

/** The whole of stdin, without its trailing newline (for `printf '%s' pw | …` and `… < file`). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Prompts on the terminal without echoing what is typed. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => {
      write(text.startsWith(question) ? question : '');
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export async function readPassword(options: { fromStdin: boolean }): Promise<string> {
  if (options.fromStdin || !process.stdin.isTTY) return readStdin();
  const password = await prompt('Password for the new administrator: ');
  const again = await prompt('Repeat it: ');
  if (password !== again) throw new Error('the passwords do not match');
  return password;
}
