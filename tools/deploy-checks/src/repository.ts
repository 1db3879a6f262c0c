import fs from 'node:fs';
import path from 'node:path';

/** What the deployment checks know about the repository: its apps, environments and paths. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');
export const K8S_ROOT = path.join(REPOSITORY_ROOT, 'deployments/k8s');
export const MONITORING_ROOT = path.join(REPOSITORY_ROOT, 'deployments/monitoring');

export const APPS = ['user-api', 'user-grpc', 'event-relay', 'audit-cleanup-worker'] as const;
export type AppName = (typeof APPS)[number];
export const LONG_RUNNING_APPS = ['user-api', 'user-grpc', 'event-relay'] as const satisfies readonly AppName[];

/** Browser apps an app serves and builds into its own bundle (tools/scripts/build-app.mjs): their sources join its image build. */
export const EMBEDDED_APPS: Record<AppName, readonly string[]> = {
  'user-api': ['admin-console'],
  'user-grpc': [],
  'event-relay': [],
  'audit-cleanup-worker': [],
};

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The APP_ENV each Kubernetes environment runs with (staging runs as `sandbox`). */
export const APP_ENV_OF: Record<Environment, string> = { dev: 'dev', staging: 'sandbox', prod: 'prod' };

export const namespaceOf = (env: Environment): string => `pandora-user-${env}`;

/** Every kustomization CI renders: 4 apps × 3 environments, the migration Job per environment. */
export interface Overlay {
  unit: AppName | 'migrate';
  env: Environment;
  /** Relative to deployments/k8s. */
  dir: string;
}

export const APP_OVERLAYS: Overlay[] = APPS.flatMap((app) =>
  ENVIRONMENTS.map((env) => ({ unit: app, env, dir: `apps/${app}/overlays/${env}` })),
);
export const MIGRATE_OVERLAYS: Overlay[] = ENVIRONMENTS.map((env) => ({ unit: 'migrate' as const, env, dir: `migrate/overlays/${env}` }));

/** Apps whose sources exist in this checkout (all four once every app has landed). */
export const appsPresent = (root = REPOSITORY_ROOT): AppName[] =>
  APPS.filter((app) => fs.existsSync(path.join(root, 'apps', app, 'src/main.ts')));
