import { codeSpans, read, repositoryFiles, sectionOf, tableRows } from './markdown';

/**
 * docs/configuration.md documents every variable the apps read, .env.example lists the same ones
 * with the same defaults, and the README's short table names only real ones.
 */
const VARIABLE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^HOST$/;

/** Variables the code reads: keys of the zod env schemas in libs/config, `env.X` reads, and OTEL_* in tracing. */
function variablesReadByTheApps(): string[] {
  const sources = repositoryFiles().filter(
    (file) => (/^libs\/config\/src\/.+\.ts$/.test(file) || file === 'libs/observability/src/tracing.ts') && !file.endsWith('.test.ts'),
  );
  const names = new Set<string>();
  for (const file of sources) {
    const text = read(file);
    for (const [, name] of text.matchAll(/^\s+([A-Z][A-Z0-9_]{2,}):\s/gm)) names.add(name as string);
    for (const [, name] of text.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g)) names.add(name as string);
  }
  return [...names].filter((name) => VARIABLE.test(name)).sort();
}

const doc = read('docs/configuration.md');
const tooling = sectionOf(doc, 'Tooling and tests');
const serviceTables = doc.replace(tooling, '');

/** First-column variable → the row's default cell, for every service table. */
const documented = new Map<string, string>();
for (const [first = '', defaultCell = ''] of tableRows(serviceTables)) {
  for (const name of codeSpans(first)) if (VARIABLE.test(name)) documented.set(name, defaultCell);
}

/** `.env.example`: `NAME=value` and commented `# NAME=value` lines. */
const example = new Map<string, string>(
  [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((match) => [match[1] as string, (match[2] as string).trim()]),
);

describe('docs/configuration.md', () => {
  it('documents every variable the apps read', () => {
    const names = variablesReadByTheApps();
    expect(names.length).toBeGreaterThan(50);
    expect(names.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents exactly the variables of .env.example', () => {
    expect([...documented.keys()].sort()).toEqual([...example.keys()].sort());
  });

  it('gives the defaults .env.example gives', () => {
    const disagreements = [...example]
      .filter(([, value]) => value !== '')
      .filter(([name, value]) => !codeSpans(documented.get(name) ?? '').includes(value))
      .map(([name, value]) => `${name}: .env.example says ${value}, the doc ${documented.get(name)}`);
    expect(disagreements).toEqual([]);
  });

  it('is the home of every variable the README names', () => {
    const readme = sectionOf(read('README.md'), 'Configuration');
    const named = tableRows(readme).flatMap(([first = '']) => codeSpans(first).filter((name) => VARIABLE.test(name)));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((name) => !documented.has(name))).toEqual([]);
  });
});
