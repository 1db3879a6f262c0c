import fs from 'node:fs';
import path from 'node:path';
import { find, podTemplates } from '../src/k8s-model';
import { kubectlVersion, renderKustomization, type K8sObject } from '../src/kustomize';
import { manifestViolations } from '../src/manifest-rules';
import { APP_OVERLAYS, APPS, ENVIRONMENTS, K8S_ROOT, MIGRATE_OVERLAYS, MONITORING_ROOT, REPOSITORY_ROOT } from '../src/repository';
import { referencedSecrets } from '../src/workload-rules';

/**
 * Every overlay is rendered with the real `kubectl kustomize` and the objects it would apply are
 * checked: what CI proves about the manifests before anyone applies them to a cluster.
 */
const renders = new Map<string, K8sObject[]>();
const render = (dir: string): K8sObject[] => {
  if (!renders.has(dir)) renders.set(dir, renderKustomization(path.join(K8S_ROOT, dir)));
  return renders.get(dir) as K8sObject[];
};

beforeAll(() => {
  console.log(`rendering with ${kubectlVersion().replace(/\n/g, '; ')}`);
});

describe('Kubernetes overlays', () => {
  it('are exactly the 4 apps × 3 environments plus a migration Job per environment', () => {
    const found = fs
      .readdirSync(path.join(K8S_ROOT, 'apps'))
      .flatMap((app) => fs.readdirSync(path.join(K8S_ROOT, 'apps', app, 'overlays')).map((env) => `apps/${app}/overlays/${env}`));
    expect(APP_OVERLAYS).toHaveLength(12);
    expect(found.sort()).toEqual(APP_OVERLAYS.map((overlay) => overlay.dir).sort());
    for (const overlay of [...APP_OVERLAYS, ...MIGRATE_OVERLAYS])
      expect(fs.existsSync(path.join(K8S_ROOT, overlay.dir, 'kustomization.yaml'))).toBe(true);
  });

  it.each(APP_OVERLAYS)('$dir renders and passes every deployment rule', (overlay) => {
    const objects = render(overlay.dir);
    expect(objects.length).toBeGreaterThan(5);
    expect(manifestViolations(objects, overlay)).toEqual([]);
  });

  it.each(MIGRATE_OVERLAYS)('$dir (the migration Job) renders and passes every deployment rule', (overlay) => {
    expect(manifestViolations(render(overlay.dir), overlay)).toEqual([]);
  });

  it.each(ENVIRONMENTS)('every %s render carries the identical shared base (namespace, common config, policies)', (env) => {
    const shared = (objects: K8sObject[]) =>
      objects
        .filter(
          (object) => object.kind === 'Namespace' || object.metadata.name.startsWith('pandora-common') || object.kind === 'NetworkPolicy',
        )
        .filter((object) => !object.metadata.labels?.['app.kubernetes.io/name'])
        .map((object) => JSON.stringify(object))
        .sort();
    const [first, ...others] = [...APPS.map((app) => `apps/${app}/overlays/${env}`), `migrate/overlays/${env}`].map((dir) =>
      shared(render(dir)),
    );
    expect(first.length).toBeGreaterThanOrEqual(6);
    for (const other of others) expect(other).toEqual(first);
  });

  it('scale production beyond development', () => {
    const minReplicas = (env: string, app: string) =>
      (find(render(`apps/${app}/overlays/${env}`), 'HorizontalPodAutoscaler', app)?.spec as { minReplicas: number }).minReplicas;
    for (const app of ['user-api', 'user-grpc']) expect(minReplicas('prod', app)).toBeGreaterThan(minReplicas('dev', app));
    const relayReplicas = (env: string) =>
      (find(render(`apps/event-relay/overlays/${env}`), 'Deployment', 'event-relay')?.spec as { replicas: number }).replicas;
    expect(relayReplicas('prod')).toBeGreaterThanOrEqual(2);
    expect(relayReplicas('prod')).toBeGreaterThan(relayReplicas('dev'));
  });

  it('give every workload a runtime identity of its own (one ServiceAccount per app)', () => {
    for (const overlay of [...APP_OVERLAYS, ...MIGRATE_OVERLAYS]) {
      const accounts = podTemplates(render(overlay.dir)).map((pod) => pod.spec.serviceAccountName);
      expect(accounts).toEqual([overlay.unit === 'migrate' ? 'user-service-migrate' : overlay.unit]);
    }
  });

  it('reference only Secrets the deployment runbook tells operators to create', () => {
    const runbook = fs.readFileSync(path.join(REPOSITORY_ROOT, 'docs/runbooks/deployment.md'), 'utf8');
    const secrets = new Set([...APP_OVERLAYS, ...MIGRATE_OVERLAYS].flatMap((overlay) => referencedSecrets(render(overlay.dir))));
    expect([...secrets].sort()).toEqual(
      expect.arrayContaining([
        'pandora-user-database',
        'pandora-user-database-direct',
        'pandora-user-database-migrator',
        'pandora-user-jwt',
        'pandora-user-grpc-auth',
        'pandora-user-redis',
      ]),
    );
    for (const secret of secrets) expect({ secret, documented: runbook.includes(`\`${secret}\``) }).toEqual({ secret, documented: true });
  });
});

describe('the monitoring kustomization', () => {
  it('renders the alert rules and the dashboard as ConfigMaps for Prometheus and Grafana', () => {
    const objects = renderKustomization(MONITORING_ROOT);
    const alerts = find(objects, 'ConfigMap', 'pandora-user-service-alerts');
    const dashboard = find(objects, 'ConfigMap', 'pandora-user-service-dashboard');
    expect(Object.keys((alerts?.data as object) ?? {})).toEqual(['pandora-user-service.rules.yml']);
    expect(dashboard?.metadata.labels?.grafana_dashboard).toBe('1');
    const json = (dashboard?.data as Record<string, string>)['pandora-user-service.json'];
    expect(JSON.parse(json).uid).toBe('pandora-user-service');
    expect(objects.every((object) => object.metadata.namespace === 'monitoring')).toBe(true);
  });
});
