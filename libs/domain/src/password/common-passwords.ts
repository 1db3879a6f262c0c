import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The common-password blocklist: the 49,233-entry "passwords-common" list shipped in
 * @zxcvbn-ts/language-common (derived from breach corpora). Compared case-insensitively, built
 * lazily on first use (a Set of ~50k strings, ~10 ms).
 */
let blocklist: ReadonlySet<string> | undefined;

function load(): ReadonlySet<string> {
  const list = (dictionary as Record<string, string[]>)['passwords-common'] ?? [];
  blocklist = new Set(list.map((password) => password.toLowerCase()));
  return blocklist;
}

export function isCommonPassword(password: string): boolean {
  return (blocklist ?? load()).has(password.toLowerCase());
}

export function commonPasswordCount(): number {
  return (blocklist ?? load()).size;
}
