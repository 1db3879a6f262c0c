import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

/**
 * What `docker compose config` would reject or warn about in a Compose file, checked without Docker
 * (these machines have the docker CLI but no Compose v2 plugin): YAML that parses cleanly (no
 * duplicate keys, every alias defined), interpolations Compose can expand and that need no variable
 * to be set, keys of the Compose specification at the top level, in services, healthchecks and
 * long-form depends_on, conditions, restart policies and durations it accepts, and dependencies it
 * can wait for (a service_healthy target with a healthcheck).
 *
 * Left to `docker compose config` itself (compose.test.ts runs it where the plugin exists): the
 * type of every field in the full Compose Specification schema, interpolation exactly as the CLI
 * implements it (with `.env` files), `extends`, `include` and override files as Compose merges them.
 */
export function composeSpecificationViolations(source: string): string[] {
  const problems: string[] = [];
  const document = parseDocument(source, { merge: true, uniqueKeys: true, prettyErrors: false });
  for (const issue of [...document.errors, ...document.warnings]) problems.push(`YAML: ${issue.message.split('\n')[0]}`);
  if (document.errors.length > 0) return problems;

  let compose: Record<string, unknown> | null;
  try {
    compose = document.toJS({ maxAliasCount: 1_000 }) as Record<string, unknown> | null;
  } catch (error) {
    return [...problems, `YAML: ${(error as Error).message}`]; // e.g. an alias whose anchor does not exist
  }
  if (!compose || typeof compose !== 'object') return ['the file is not a mapping'];
  visitStrings(document.contents, (value) => {
    for (const problem of interpolationProblems(value)) problems.push(problem);
  });

  for (const key of Object.keys(compose)) {
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-')) problems.push(`unknown top-level key ${key}`);
  }
  const services = (compose.services ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, service] of Object.entries(services)) {
    const where = `service ${name}`;
    for (const key of Object.keys(service)) {
      if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) problems.push(`${where}: unknown key ${key}`);
    }
    const healthcheck = service.healthcheck as Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(healthcheck ?? {})) {
      if (!HEALTHCHECK_KEYS.has(key)) problems.push(`${where}: unknown healthcheck key ${key}`);
      else if (DURATION_KEYS.has(key) && !isDuration(value))
        problems.push(`${where}: healthcheck ${key} "${String(value)}" is not a duration`);
    }
    if (service.stop_grace_period !== undefined && !isDuration(service.stop_grace_period))
      problems.push(`${where}: stop_grace_period "${String(service.stop_grace_period)}" is not a duration`);
    if (service.restart !== undefined && !/^(no|always|unless-stopped|on-failure(:\d+)?)$/.test(String(service.restart)))
      problems.push(`${where}: restart "${String(service.restart)}" is not a restart policy`);
    for (const profile of (service.profiles as unknown[] | undefined) ?? []) {
      if (typeof profile !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(profile))
        problems.push(`${where}: invalid profile ${String(profile)}`);
    }
    if (service.depends_on && !Array.isArray(service.depends_on)) {
      for (const [dependency, spec] of Object.entries(service.depends_on as Record<string, Record<string, unknown> | null>)) {
        for (const key of Object.keys(spec ?? {})) {
          if (!['condition', 'restart', 'required'].includes(key))
            problems.push(`${where}: depends_on ${dependency} has an unknown key ${key}`);
        }
        const condition = spec?.condition ?? 'service_started';
        if (!CONDITIONS.has(String(condition)))
          problems.push(`${where}: depends_on ${dependency} has an unknown condition ${String(condition)}`);
        const target = services[dependency] as { healthcheck?: { test?: unknown; disable?: boolean } } | undefined;
        if (condition === 'service_healthy' && target && (!target.healthcheck?.test || target.healthcheck.disable))
          problems.push(`${where}: waits for ${dependency} to be healthy, but ${dependency} has no healthcheck`);
      }
    }
  }
  return problems;
}

const TOP_LEVEL_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include', 'models']);
// The service attributes of the Compose Specification (compose-spec/compose-spec, schema/compose-spec.json).
const SERVICE_KEYS = new Set(
  (
    'annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs container_name cpu_count ' +
    'cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares cpus cpuset credential_spec depends_on deploy ' +
    'develop device_cgroup_rules devices dns dns_opt dns_search domainname driver_opts entrypoint env_file environment expose ' +
    'extends external_links extra_hosts gpus group_add healthcheck hostname image init ipc isolation label_file labels links ' +
    'logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit models network_mode networks oom_kill_disable ' +
    'oom_score_adj pid pids_limit platform ports post_start pre_stop privileged profiles provider pull_policy read_only restart ' +
    'runtime scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits ' +
    'use_api_socket user userns_mode uts volumes volumes_from working_dir'
  ).split(' '),
);
const HEALTHCHECK_KEYS = new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable']);
const DURATION_KEYS = new Set(['interval', 'timeout', 'start_period', 'start_interval']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

/** Compose durations are Go durations: `1m30s`, `500ms`, `10s`. */
function isDuration(value: unknown): boolean {
  return typeof value === 'string' && /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value);
}

/** Every scalar string of the document (keys included: Compose interpolates values only, but a `$` in a key is a mistake too). */
function visitStrings(node: Node | null, visit: (value: string) => void): void {
  if (isScalar(node) && typeof node.value === 'string') visit(node.value);
  else if (isMap(node))
    for (const pair of node.items) {
      visitStrings(pair.key as Node | null, visit);
      visitStrings(pair.value as Node | null, visit);
    }
  else if (isSeq(node)) for (const item of node.items) visitStrings(item as Node | null, visit);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Compose's interpolation: `$$` is a literal `$`; `$NAME` and `${NAME}` read a variable, with
 * `:-`/`-` (default), `:?`/`?` (required, with a message) and `:+`/`+` (replacement) modifiers,
 * whose text may interpolate again. Anything else after a `$` is an error for Compose. A bare or
 * required reference makes `docker compose config` warn (and use an empty string) or fail when the
 * variable is unset; this file must work with none set, so those are refused too.
 */
export function interpolationProblems(value: string): string[] {
  const problems: string[] = [];
  for (let index = 0; index < value.length; index++) {
    if (value[index] !== '$') continue;
    const next = value[index + 1];
    if (next === '$') {
      index++;
    } else if (next === '{') {
      let depth = 1;
      let end = index + 2;
      for (; end < value.length && depth > 0; end++) {
        if (value[end] === '{') depth++;
        else if (value[end] === '}') depth--;
      }
      if (depth > 0) {
        problems.push(`unterminated interpolation in "${value}"`);
        break;
      }
      const inner = value.slice(index + 2, end - 1);
      const name = NAME.exec(inner)?.[0];
      const modifier = name ? /^(:?[-?+])([\s\S]*)$/.exec(inner.slice(name.length)) : null;
      if (!name || (inner.length > name.length && !modifier)) problems.push(`invalid interpolation \${${inner}} in "${value}"`);
      else if (!modifier || modifier[1]?.endsWith('?'))
        problems.push(`\${${inner}} has no default: docker compose config would warn or fail when ${name} is unset`);
      if (modifier) problems.push(...interpolationProblems(modifier[2] ?? ''));
      index = end - 1;
    } else if (next !== undefined && NAME.test(value.slice(index + 1))) {
      problems.push(`$${NAME.exec(value.slice(index + 1))?.[0]} has no default: docker compose config would warn when it is unset`);
    } else {
      problems.push(`a lone "$" in "${value}" (write $$ for a literal dollar)`);
    }
  }
  return problems;
}
