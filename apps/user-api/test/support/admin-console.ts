import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@pandora/testing';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Helpers of the admin console's browser tests: the console built by the project's own recipe
 * (tools/scripts/build-console.mjs, as `npm run build` does) into a temporary directory, viewports,
 * and what the pages are watched for (Chromium itself: support/chromium.ts).
 */
const run = promisify(execFile);

export interface BuiltConsole {
  directory: string;
  remove(): void;
}

export async function buildAdminConsole(): Promise<BuiltConsole> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-console-'));
  await run(process.execPath, ['tools/scripts/build-console.mjs', '--out', directory], { cwd: WORKSPACE_ROOT });
  return { directory, remove: () => fs.rmSync(directory, { recursive: true, force: true }) };
}

export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
export type ViewportName = keyof typeof VIEWPORTS;

export const SCREENSHOTS = path.join(WORKSPACE_ROOT, 'test-artifacts/console');

/**
 * Code that runs inside the page. It is written as strings because this project is compiled without
 * the DOM library (its code runs in Node.js); each helper states the type of what comes back.
 */
export const inPage = {
  /** localStorage and sessionStorage sizes and document.cookie. */
  storage: (page: Page) =>
    page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]') as Promise<[number, number, string]>,
  scrollWidth: (page: Page) => page.evaluate('document.documentElement.scrollWidth') as Promise<number>,
  /** Form controls without a label (neither a <label> nor aria-label). */
  unlabelledControls: (page: Page) =>
    page.evaluate(
      `[...document.querySelectorAll('input, select, textarea')]
        .filter((control) => control.labels.length === 0 && !control.getAttribute('aria-label'))
        .map((control) => control.outerHTML)`,
    ) as Promise<string[]>,
  /** The focused element: tag, id, text and its outline (the visible focus). */
  focused: (page: Page) =>
    page.evaluate(
      `(() => {
        const element = document.activeElement;
        const style = getComputedStyle(element);
        return { tag: element.tagName, id: element.id, text: (element.innerText || '').trim(), outline: style.outlineStyle + ' ' + style.outlineWidth };
      })()`,
    ) as Promise<{ tag: string; id: string; text: string; outline: string }>,
};

const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push('CSP ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' (' + event.sourceFile + ':' + event.lineNumber + ')');
  });
`;

/**
 * What went wrong in the page: uncaught errors, console errors (Chromium reports refused resources
 * and CSP violations there too) and \`securitypolicyviolation\` events, which a listener installed
 * before any page script records.
 */
export interface PageProblems {
  list(): Promise<string[]>;
}

export async function watchProblems(context: BrowserContext, page: Page): Promise<PageProblems> {
  const problems: string[] = [];
  await context.addInitScript(RECORD_CSP_VIOLATIONS);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  return {
    async list() {
      const csp = (await page.evaluate('window.__cspViolations ?? []').catch(() => [])) as string[];
      return [...problems, ...csp];
    },
  };
}
