import { z } from 'zod';

export const APP_ENVS = ['dev', 'test', 'sandbox', 'audit', 'prod'] as const;
export type AppEnv = (typeof APP_ENVS)[number];

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const appEnvSchema = z.enum(APP_ENVS).default('dev');

/**
 * Per-environment defaults (docs/configuration.md#app_env), each overridable by its own env var.
 * `test` logs at warn with dev's retention; reflection is on in dev and sandbox only — a test that needs it
 * asks for it with GRPC_REFLECTION=true.
 */
export const APP_ENV_DEFAULTS: Record<AppEnv, { logLevel: LogLevel; auditRetentionDays: number; grpcReflection: boolean }> = {
  dev: { logLevel: 'debug', auditRetentionDays: 30, grpcReflection: true },
  test: { logLevel: 'warn', auditRetentionDays: 30, grpcReflection: false },
  sandbox: { logLevel: 'info', auditRetentionDays: 90, grpcReflection: true },
  audit: { logLevel: 'warn', auditRetentionDays: 2555, grpcReflection: false },
  prod: { logLevel: 'error', auditRetentionDays: 2555, grpcReflection: false },
};

/** Deployed environments never run on developer defaults (local database, generated keys). */
export function isDeployedEnv(env: AppEnv): boolean {
  return env === 'sandbox' || env === 'audit' || env === 'prod';
}
