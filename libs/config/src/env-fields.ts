import { z } from 'zod';

/** Reusable zod fields for string-valued environment variables. */

export function portField(defaultPort: number) {
  return z
    .string()
    .default(String(defaultPort))
    .transform((value, ctx) => {
      const port = Number(value);
      if (!/^\d+$/.test(value) || port > 65535) {
        ctx.addIssue({ code: 'custom', message: 'expected a TCP port between 0 and 65535' });
        return z.NEVER;
      }
      return port;
    });
}

export function intField(defaultValue: number, min: number, max: number) {
  return z
    .string()
    .default(String(defaultValue))
    .transform((value, ctx) => {
      const parsed = Number(value);
      if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return parsed;
    });
}

/** Like intField, but unset stays undefined: the caller picks the default (e.g. by APP_ENV). */
export function optionalIntField(min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const parsed = Number(value);
      if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return parsed;
    });
}

export function boolField(defaultValue: boolean) {
  return z
    .string()
    .default(String(defaultValue))
    .transform((value, ctx) => {
      const normalized = value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
      if (['false', '0', 'no', 'off'].includes(normalized)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected true or false' });
      return z.NEVER;
    });
}

export function listField(defaultValue: string[] = []) {
  return z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? defaultValue
        : value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0),
    );
}

export function urlField(protocols: string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL with scheme ${protocols.map((p) => p.replace(':', '://')).join(' or ')}` },
  );
}

/**
 * TRUST_PROXY with express's trust-proxy vocabulary: a hop count, `loopback`/`linklocal`/
 * `uniquelocal`, or a comma-separated list of IPs/CIDRs. `true` (trust everyone) is refused: it lets
 * any client choose its own IP through X-Forwarded-For. Unset means the socket address is used.
 */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;

export type TrustProxy = false | number | string[];

export function trustProxyField() {
  return z
    .string()
    .optional()
    .transform((value, ctx): TrustProxy => {
      const text = value?.trim() ?? '';
      if (text === '' || text === 'false' || text === 'none') return false;
      if (/^\d+$/.test(text)) return Number(text);
      const entries = text
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      for (const entry of entries) {
        if (NAMED_RANGES.has(entry)) continue;
        const [address, prefix] = entry.split('/');
        const validAddress = IPV4.test(address ?? '') || (IPV6.test(address ?? '') && (address ?? '').includes(':'));
        const validPrefix = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= 128);
        if (!validAddress || !validPrefix) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not a hop count, loopback/linklocal/uniquelocal, or an IP/CIDR (true is not allowed)`,
          });
          return z.NEVER;
        }
      }
      return entries;
    });
}

/** AUDIT_RETENTION_DAYS: whole days, 1–36500; unset means the APP_ENV default (docs/audit-trail.md#retention). */
export function auditRetentionDaysField() {
  return z
    .string()
    .regex(/^\d+$/, 'expected a whole number of days')
    .transform(Number)
    .refine((days) => days >= 1 && days <= 36_500, 'expected between 1 and 36500 days')
    .optional();
}
