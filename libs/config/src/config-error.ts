import type { z } from 'zod';

/** Variables whose values must never be echoed in an error message. */
const SECRET_VARIABLE = /PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL|DATABASE_DIRECT_URL|REDIS_URL|SMTP_URL/i;

/** Thrown at start-up when the environment is unusable; the message names every bad variable. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[], service?: string) {
    super(`Invalid configuration${service ? ` for ${service}` : ''}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function describeIssues(issues: z.core.$ZodIssue[], env: Record<string, string | undefined>): string[] {
  return issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(config)');
    const raw = env[variable];
    const shown = raw === undefined ? 'it is not set' : SECRET_VARIABLE.test(variable) ? 'value hidden' : `got "${raw}"`;
    const message = issue.message.includes('got "') ? issue.message : `${issue.message} (${shown})`;
    return `${variable}: ${message}`;
  });
}
