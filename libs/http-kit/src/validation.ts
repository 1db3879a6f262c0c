import { AppError, type FieldIssue } from '@pandora/errors';
import type { z, ZodType } from 'zod';

const MAX_DETAILS = 20;

function fieldName(path: PropertyKey[], prefix: string): string {
  const joined = path.map(String).join('.');
  return joined === '' ? prefix : joined;
}

/** zod issues → the envelope's `details`, one entry per offending field (unknown keys included). */
export function issuesToDetails(issues: z.core.$ZodIssue[], location: 'body' | 'query' | 'params'): FieldIssue[] {
  const details: FieldIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ field: fieldName([...issue.path, key], location), message: 'Unknown field.' });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      details.push({ field: fieldName(issue.path, location), message: 'Required.' });
    } else {
      details.push({ field: fieldName(issue.path, location), message: issue.message });
    }
  }
  return details.slice(0, MAX_DETAILS);
}

export function parseInput<T extends ZodType>(
  schema: T,
  input: unknown,
  location: 'body' | 'query' | 'params',
): { value?: z.output<T>; details?: FieldIssue[] } {
  const result = schema.safeParse(input);
  return result.success ? { value: result.data } : { details: issuesToDetails(result.error.issues, location) };
}

export function invalidInput(details: FieldIssue[]): AppError {
  return AppError.invalidInput(details);
}
