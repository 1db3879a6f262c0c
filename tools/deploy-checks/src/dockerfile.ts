import { APPS, EMBEDDED_APPS, LONG_RUNNING_APPS, type AppName } from './repository';

/** A build stage of a Dockerfile: its base, its name and its instructions (continuations joined). */
export interface Stage {
  name: string;
  from: string;
  instructions: Array<{ keyword: string; args: string }>;
}

export interface Dockerfile {
  args: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      stages.push({ name: name ?? `stage-${stages.length}`, from, instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [name, value = ''] = rest.split('=');
      args[name] = value;
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ keyword: upper, args: rest });
    }
  }
  return { args, stages };
}

const EXACT_VERSION = /:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/;

/** The stages a target is built from, itself first. */
function lineage(dockerfile: Dockerfile, target: string): Stage[] {
  const chain: Stage[] = [];
  let stage = dockerfile.stages.find((candidate) => candidate.name === target);
  while (stage) {
    chain.push(stage);
    const parent: string = stage.from;
    stage = dockerfile.stages.find((candidate) => candidate.name === parent);
  }
  return chain;
}

const instructions = (stages: Stage[], keyword: string) =>
  stages.flatMap((stage) => stage.instructions.filter((instruction) => instruction.keyword === keyword));
const lastOf = (stages: Stage[], keyword: string) => instructions(stages, keyword)[0];

/**
 * The image rules: a target per app plus `migrate`; pinned bases; each app image built from its own
 * sources only; production dependencies; a numeric non-root user; exec-form entry points;
 * HEALTHCHECK for the servers (explicitly NONE for the one-shots); never the whole context.
 */
export function dockerfileViolations(dockerfile: Dockerfile): string[] {
  const problems: string[] = [];
  const resolve = (image: string) => image.replace(/\$\{?(\w+)\}?/g, (_, name: string) => dockerfile.args[name] ?? '');
  const stageNames = new Set(dockerfile.stages.map((stage) => stage.name));
  for (const stage of dockerfile.stages) {
    if (stageNames.has(stage.from)) continue;
    const image = resolve(stage.from);
    if (!EXACT_VERSION.test(image))
      problems.push(`stage ${stage.name}: base image ${image || stage.from} is not pinned to an exact version or digest`);
  }
  for (const stage of dockerfile.stages) {
    for (const copy of instructions([stage], 'COPY'))
      if (/^(--\S+\s+)*\.\s/.test(copy.args)) problems.push(`stage ${stage.name}: COPY of the whole build context`);
  }

  const installs = dockerfile.stages.flatMap((stage) => instructions([stage], 'RUN')).map((run) => run.args);
  if (!installs.some((run) => /\bnpm ci\b/.test(run))) problems.push('dependencies are not installed with `npm ci` (the lockfile)');
  if (!installs.some((run) => /\bnpm (prune|ci)\b.*--omit=dev/.test(run)))
    problems.push('no production-only dependency set (`npm prune --omit=dev`)');

  for (const target of [...APPS, 'migrate']) {
    const chain = lineage(dockerfile, target);
    if (chain.length === 0) {
      problems.push(`no target ${target}`);
      continue;
    }
    const user = lastOf(chain, 'USER');
    const [uid] = (user?.args ?? '').split(':');
    if (!user || !/^\d+$/.test(uid) || Number(uid) === 0)
      problems.push(`target ${target}: must run as a numeric non-root USER (got ${user?.args ?? 'none'})`);
    const entry = lastOf(chain, 'ENTRYPOINT') ?? lastOf(chain, 'CMD');
    if (!entry || !entry.args.startsWith('[')) problems.push(`target ${target}: ENTRYPOINT/CMD must be exec form (signals reach node)`);
    const healthcheck = lastOf(chain, 'HEALTHCHECK');
    const longRunning = (LONG_RUNNING_APPS as readonly string[]).includes(target);
    if (longRunning && !/\bCMD\b/.test(healthcheck?.args ?? '')) problems.push(`target ${target}: no HEALTHCHECK`);
    if (!longRunning && healthcheck?.args !== 'NONE') problems.push(`target ${target}: a one-shot image declares HEALTHCHECK NONE`);
    const ownCopies = instructions([chain[0]], 'COPY').map((copy) => copy.args);
    if (target !== 'migrate') {
      if (!ownCopies.some((copy) => copy.includes(`--from=build-${target}`) && copy.includes(`dist/apps/${target}`))) {
        problems.push(`target ${target}: does not copy its bundle from build-${target}`);
      }
      const build = lineage(dockerfile, `build-${target}`);
      const appSources = instructions(build, 'COPY').filter((copy) => /(^|\s)apps\b/.test(copy.args));
      const embedded = EMBEDDED_APPS[target as AppName];
      const allowed = [target, ...embedded].map((app) => `apps/${app} `);
      if (
        !appSources.some((copy) => copy.args.startsWith(`apps/${target} `)) ||
        appSources.some((copy) => !allowed.some((prefix) => copy.args.startsWith(prefix)))
      ) {
        problems.push(`build-${target}: must copy apps/${target} and no other app${embedded.length ? ` but ${embedded.join(', ')}` : ''}`);
      }
      for (const app of embedded) {
        if (!appSources.some((copy) => copy.args.startsWith(`apps/${app} `)))
          problems.push(`build-${target}: must copy apps/${app}, which ${target} serves`);
      }
    }
  }
  return problems;
}

/** A .dockerignore pattern as a regular expression over paths relative to the context. */
function ignorePattern(pattern: string): RegExp {
  const segments = pattern.replace(/\/$/, '').split('/');
  const body = segments
    .map((segment, index) => {
      const last = index === segments.length - 1;
      if (segment === '**') return last ? '.*' : '(?:[^/]+/)*';
      return (
        segment
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]') + (last ? '' : '/')
      );
    })
    .join('');
  // A pattern that matches a directory applies to everything below it.
  return new RegExp(`^${body}(?:/.*)?$`);
}

/** Whether `.dockerignore` sends `file` (relative to the context) to the builder: the last matching pattern wins. */
export function dockerignoreAllows(patterns: string[], file: string): boolean {
  let allowed = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (ignorePattern(negated ? pattern.slice(1) : pattern).test(file)) allowed = negated;
  }
  return allowed;
}

export const parseDockerignore = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
