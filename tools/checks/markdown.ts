import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Helpers for the tests that keep the repository's documentation true. */

export const ROOT = path.resolve(__dirname, '../..');

export function read(relativePath: string): string {
  return fs.readFileSync(path.join(ROOT, relativePath), 'utf8');
}

const IGNORED_DIRECTORIES = new Set(['.git', 'node_modules', 'dist', 'tmp', 'coverage', '.nx', 'test-artifacts']);

/** The repository's files (tracked, plus new ones git does not ignore), relative to the root. */
export function repositoryFiles(): string[] {
  try {
    const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      maxBuffer: 64 << 20,
    });
    return listed
      .toString('utf8')
      .split('\0')
      .filter((file) => file !== '' && fs.existsSync(path.join(ROOT, file)));
  } catch {
    // Not a git checkout (a copied source tree): walk it instead.
    const files: string[] = [];
    const walk = (directory: string): void => {
      for (const entry of fs.readdirSync(path.join(ROOT, directory), { withFileTypes: true })) {
        const relative = path.posix.join(directory, entry.name);
        if (entry.isDirectory() && !IGNORED_DIRECTORIES.has(entry.name)) walk(relative);
        else if (entry.isFile()) files.push(relative);
      }
    };
    walk('.');
    return files.map((file) => file.replace(/^\.\//, ''));
  }
}

/** The file's text, or null for binary files. */
export function textOf(relativePath: string): string | null {
  const buffer = fs.readFileSync(path.join(ROOT, relativePath));
  return buffer.includes(0) ? null : buffer.toString('utf8');
}

/** Markdown without fenced code blocks (their lines become empty, so line numbers stay). */
export function withoutCodeBlocks(markdown: string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === null && marker) {
        fence = marker[0] as string;
        return '';
      }
      if (fence !== null) {
        if (marker?.[0] === fence) fence = null;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
export function slugOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers (duplicate headings get -1, -2… as on GitHub). */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutCodeBlocks(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = slugOf(heading as string);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const [, id] of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id as string);
  return anchors;
}

/** The rows of every table in `section` (separator lines left out) as cells; `\|` is a pipe inside a cell. */
export function tableRows(section: string): string[][] {
  return section
    .split('\n')
    .filter((line) => /^\|.*\|\s*$/.test(line) && !/^\|[\s|:-]+\|\s*$/.test(line))
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );
}

/** The text from the heading `## title` (any level) to the next heading of the same or a higher level. */
export function sectionOf(markdown: string, title: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^(#{1,6})\\s+${escapeRegExp(title)}\\s*$`).test(line));
  if (start < 0) return '';
  const level = (/^#+/.exec(lines[start] as string)?.[0] as string).length;
  const end = lines.findIndex(
    (line, index) => index > start && /^#{1,6}\s/.test(line) && (/^#+/.exec(line)?.[0] as string).length <= level,
  );
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The code spans of a table cell: "`GET` or `PUT`" → ["GET", "PUT"]. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
}
