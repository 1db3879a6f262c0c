import fs from 'node:fs';
import path from 'node:path';
import { anchorsOf, read, repositoryFiles, ROOT, textOf, withoutCodeBlocks } from './markdown';

/**
 * The repository stands alone: what it promises is written in its own docs (docs/README.md), and
 * every pointer to them leads somewhere. A clone has nothing but these files.
 */
const THIS_FILE = path.relative(ROOT, __filename).split(path.sep).join('/');

/** Citations of planning documents that live outside the repository (a clone cannot follow them). */
const OUTSIDE_REFERENCES: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /\.\.\/shared\//, why: 'a path outside the repository' },
  { pattern: /shared\/SPEC/, why: 'a planning document outside the repository' },
  { pattern: /\bSPEC\b/, why: 'a planning document outside the repository: point at docs/ or state the rule' },
  { pattern: /\bTOOLCHAIN\.md\b/, why: 'a document outside the repository' },
  { pattern: /§\s?\d/, why: 'a section number of a document outside the repository' },
  // Internal tracker numbers mean nothing to a reader of the code; upstream bugs are cited as owner/repo#N links.
  { pattern: /\bissue \d{1,3}\b/i, why: 'an issue of a tracker outside the repository' },
];

const TEXT_EXTENSIONS =
  /\.(ts|tsx|js|mjs|cjs|json|md|yml|yaml|proto|css|html|sql|prisma|sh|toml|txt|example)$|(^|\/)(Dockerfile|\.dockerignore|\.gitignore)$/;
/** The lockfile is data, and large. */
const SKIPPED = new Set(['package-lock.json']);

const files = repositoryFiles().filter((file) => TEXT_EXTENSIONS.test(file) && !SKIPPED.has(file) && file !== THIS_FILE);
const markdownFiles = files.filter((file) => file.endsWith('.md'));

const anchorCache = new Map<string, Set<string>>();
function anchorsIn(file: string): Set<string> {
  let anchors = anchorCache.get(file);
  if (!anchors) {
    anchors = anchorsOf(read(file));
    anchorCache.set(file, anchors);
  }
  return anchors;
}

/** Why `target` (a path relative to the root, maybe with #anchor) leads nowhere, or null. */
function brokenTarget(target: string): string | null {
  const [filePart = '', anchor] = target.split('#');
  const file = path.posix.normalize(filePart);
  if (file.startsWith('..')) return 'leaves the repository';
  const absolute = path.join(ROOT, file);
  if (!fs.existsSync(absolute)) return 'no such file';
  if (anchor === undefined || anchor === '') return null;
  if (!file.endsWith('.md')) return null;
  return anchorsIn(file).has(anchor) ? null : `no heading with the anchor #${anchor}`;
}

describe('self-contained documentation', () => {
  it('has files to check', () => {
    expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'ARCHITECTURE.md', 'docs/README.md']));
  });

  it('cites no document outside the repository', () => {
    const citations: string[] = [];
    for (const file of files) {
      const text = textOf(file);
      if (text === null) continue;
      text.split('\n').forEach((line, index) => {
        for (const { pattern, why } of OUTSIDE_REFERENCES) {
          if (pattern.test(line)) citations.push(`${file}:${index + 1}: ${why}: ${line.trim().slice(0, 120)}`);
        }
      });
    }
    expect(citations).toEqual([]);
  });

  it('has no relative Markdown link to a missing file or heading', () => {
    const broken: string[] = [];
    for (const file of markdownFiles) {
      const markdown = withoutCodeBlocks(read(file)).replace(/`[^`\n]*`/g, '');
      const directory = path.posix.dirname(file);
      const targets = [
        ...[...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1] as string),
        ...[...markdown.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string),
      ];
      for (const target of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:…
        const resolved = target.startsWith('#') ? `${file}${target}` : path.posix.join(directory, target);
        const problem = brokenTarget(resolved);
        if (problem) broken.push(`${file}: (${target}) ${problem}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('has no pointer to a missing doc or heading in code, comments or docs', () => {
    // `docs/tokens.md#revocation` in a comment, `README.md#the-grpc-api`…: always from the root.
    const pointer = /(?<![\w./-])((?:docs\/[\w./-]*[\w-]\.md|README\.md|ARCHITECTURE\.md)(?:#[\w-]+)?)/g;
    const broken: string[] = [];
    for (const file of files) {
      const text = textOf(file);
      if (text === null) continue;
      for (const [, target] of text.matchAll(pointer)) {
        const problem = brokenTarget(target as string);
        if (problem) broken.push(`${file}: ${target} ${problem}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
