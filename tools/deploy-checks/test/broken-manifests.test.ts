import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderKustomization } from '../src/kustomize';
import { manifestViolations } from '../src/manifest-rules';
import { K8S_ROOT, type AppName, type Environment } from '../src/repository';

/**
 * The checks are only worth something if they fail on a bad manifest. Each case copies
 * deployments/k8s, breaks one thing the way a hurried edit would, renders the affected overlay with
 * kubectl and expects the violation (or the render itself) to fail.
 */
interface Breakage {
  name: string;
  /** Relative to deployments/k8s. */
  file: string;
  from: string;
  to: string;
  unit: AppName | 'migrate';
  env: Environment;
  expected: RegExp;
}

const BREAKAGES: Breakage[] = [
  {
    name: 'a Deployment without a readiness probe',
    file: 'apps/user-api/base/deployment.yaml',
    from: '          readinessProbe:\n',
    to: '          readinessGate:\n',
    unit: 'user-api',
    env: 'dev',
    expected: /user-api: no readinessProbe/,
  },
  {
    name: 'a liveness probe on a port the container does not declare',
    file: 'apps/event-relay/base/deployment.yaml',
    from: '          livenessProbe:\n            httpGet: { path: /health, port: metrics }',
    to: '          livenessProbe:\n            httpGet: { path: /health, port: 9999 }',
    unit: 'event-relay',
    env: 'staging',
    expected: /a probe targets port 9999, which the container does not declare/,
  },
  {
    name: 'an image on the mutable latest tag',
    file: 'apps/user-grpc/overlays/staging/kustomization.yaml',
    from: 'newTag: "0.1.0"',
    to: 'newTag: "latest"',
    unit: 'user-grpc',
    env: 'staging',
    expected: /uses the mutable :latest tag/,
  },
  {
    name: 'a production image tagged with a branch name instead of a release',
    file: 'apps/user-api/overlays/prod/kustomization.yaml',
    from: 'newTag: "0.1.0"',
    to: 'newTag: "main"',
    unit: 'user-api',
    env: 'prod',
    expected: /production image .* must be a release version or a digest/,
  },
  {
    name: 'a retention CronJob that allows overlapping runs',
    file: 'apps/audit-cleanup-worker/base/cronjob.yaml',
    from: 'concurrencyPolicy: Forbid',
    to: 'concurrencyPolicy: Allow',
    unit: 'audit-cleanup-worker',
    env: 'prod',
    expected: /concurrencyPolicy must be Forbid/,
  },
  {
    name: 'a retention CronJob without a deadline',
    file: 'apps/audit-cleanup-worker/overlays/dev/schedule.yaml',
    from: 'activeDeadlineSeconds: 3600',
    to: 'activeDeadlineSeconds: null',
    unit: 'audit-cleanup-worker',
    env: 'dev',
    expected: /jobTemplate activeDeadlineSeconds must be set/,
  },
  {
    name: 'a Secret with a value committed to the shared base',
    file: 'base/kustomization.yaml',
    from: 'resources:\n  - network-policies.yaml\n',
    to: 'resources:\n  - network-policies.yaml\n\nsecretGenerator:\n  - name: pandora-user-jwt\n    literals: [JWT_SIGNING_KEYS=not-a-real-key]\n',
    unit: 'event-relay',
    env: 'dev',
    expected: /Secret objects must not be committed/,
  },
  {
    name: 'a signing key ring written into the Deployment as a literal',
    file: 'apps/user-api/base/deployment.yaml',
    from: '            - name: JWT_SIGNING_KEYS\n              valueFrom:\n                secretKeyRef: { name: pandora-user-jwt, key: JWT_SIGNING_KEYS }',
    to: '            - name: JWT_SIGNING_KEYS\n              value: "[]"',
    unit: 'user-api',
    env: 'staging',
    expected: /JWT_SIGNING_KEYS must come from a Secret/,
  },
  {
    name: 'the default-deny NetworkPolicy removed',
    file: 'base/network-policies.yaml',
    from: 'spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n---',
    to: 'spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n---',
    unit: 'user-grpc',
    env: 'prod',
    expected: /no default-deny NetworkPolicy/,
  },
  {
    name: 'the admin port opened to every namespace',
    file: 'apps/user-api/base/network-policy.yaml',
    from: '    - from:\n        - podSelector: {}\n        - namespaceSelector:\n            matchLabels:\n              pandora.exchange/user-api-admin: "true"',
    to: '    - from:\n        - podSelector: {}\n        - namespaceSelector:\n            matchLabels: {}\n          podSelector:\n            matchLabels:\n              pandora.exchange/user-api-admin: "true"\n        - namespaceSelector:\n            matchLabels:\n              pandora.exchange/user-api-admin: "true"',
    unit: 'user-api',
    env: 'prod',
    expected: /port 8081 of Deployment\/user-api is reachable from outside the namespace by unlabelled callers/,
  },
  {
    name: 'prod user-grpc taking service tokens over plaintext h2c',
    file: 'apps/user-grpc/overlays/prod/kustomization.yaml',
    from: '      - GRPC_TLS_CERT_FILE=/etc/pandora/grpc-tls/tls.crt\n',
    to: '',
    unit: 'user-grpc',
    env: 'prod',
    expected: /prod needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE/,
  },
  {
    name: 'prod user-grpc starting without its certificate Secret',
    file: 'apps/user-grpc/overlays/prod/tls.yaml',
    from: 'optional: false',
    to: 'optional: true',
    unit: 'user-grpc',
    env: 'prod',
    expected: /prod must mount the Secret pandora-user-grpc-tls with optional: false/,
  },
  {
    name: 'a gRPC readiness probe on a TLS listener, which the kubelet cannot speak',
    file: 'apps/user-grpc/overlays/prod/tls.yaml',
    from: '            grpc: null\n            httpGet: { path: /ready, port: metrics }\n',
    to: '',
    unit: 'user-grpc',
    env: 'prod',
    expected: /readinessProbe must check \/ready on port 9464/,
  },
  {
    name: 'rate limits turned off in prod',
    file: 'environments/prod/kustomization.yaml',
    from: '      - LOG_LEVEL=warn\n',
    to: '      - LOG_LEVEL=warn\n      - RATE_LIMIT_ENABLED=false\n',
    unit: 'user-api',
    env: 'prod',
    expected: /RATE_LIMIT_ENABLED=false is refused in prod/,
  },
  {
    name: 'a hop count for TRUST_PROXY, which believes any pod reaching 8080',
    file: 'apps/user-api/overlays/prod/kustomization.yaml',
    from: '      - TRUST_PROXY=10.132.0.0/24',
    to: '      - TRUST_PROXY=1',
    unit: 'user-api',
    env: 'prod',
    expected: /TRUST_PROXY is 1, expected the ingress controller's CIDR/,
  },
  {
    name: 'the public port opened to the pods of the namespace',
    file: 'apps/user-api/base/network-policy.yaml',
    from: '    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: ingress-nginx',
    to: '    - from:\n        - podSelector: {}\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: ingress-nginx',
    unit: 'user-api',
    env: 'dev',
    expected: /port 8080 of Deployment\/user-api is reachable by others than the ingress controller/,
  },
  {
    name: 'the gRPC port opened to an IP range',
    file: 'apps/user-grpc/base/network-policy.yaml',
    from: '    - from:\n        - podSelector: {}\n',
    to: '    - from:\n        - ipBlock: { cidr: 10.0.0.0/8 }\n',
    unit: 'user-grpc',
    env: 'dev',
    expected: /port 9090 of Deployment\/user-grpc is reachable from outside the namespace/,
  },
  {
    name: 'the relay taking its session from the pooled database Secret',
    file: 'apps/event-relay/base/deployment.yaml',
    from: 'secretKeyRef: { name: pandora-user-database-direct, key: DATABASE_DIRECT_URL, optional: true }',
    to: 'secretKeyRef: { name: pandora-user-database, key: DATABASE_URL }',
    unit: 'event-relay',
    env: 'prod',
    expected: /DATABASE_DIRECT_URL must come from the Secret pandora-user-database-direct/,
  },
  {
    name: "the API's read-cache session taken from the pooled database Secret",
    file: 'apps/user-api/base/deployment.yaml',
    from: 'secretKeyRef: { name: pandora-user-database-direct, key: DATABASE_DIRECT_URL, optional: true }',
    to: 'secretKeyRef: { name: pandora-user-database, key: DATABASE_URL }',
    unit: 'user-api',
    env: 'staging',
    expected: /DATABASE_DIRECT_URL must come from the Secret pandora-user-database-direct/,
  },
  {
    name: 'egress opened to any port',
    file: 'environments/staging/datastore-egress.yaml',
    from: '        - { protocol: TCP, port: 6379 }',
    to: '        - { protocol: TCP, port: 443 }',
    unit: 'user-api',
    env: 'staging',
    expected: /egress to port 443/,
  },
  {
    name: 'a writable root filesystem',
    file: 'apps/user-grpc/base/deployment.yaml',
    from: 'readOnlyRootFilesystem: true',
    to: 'readOnlyRootFilesystem: false',
    unit: 'user-grpc',
    env: 'dev',
    expected: /readOnlyRootFilesystem must be true/,
  },
  {
    name: 'a pod running as root',
    file: 'migrate/base/job.yaml',
    from: 'runAsUser: 10001',
    to: 'runAsUser: 0',
    unit: 'migrate',
    env: 'prod',
    expected: /runAsUser must be a numeric UID ≥ 10000/,
  },
  {
    name: 'a container without a memory limit',
    file: 'apps/event-relay/overlays/prod/scaling.yaml',
    from: 'limits: { cpu: "1", memory: 384Mi }',
    to: 'limits: { cpu: "1", memory: null }',
    unit: 'event-relay',
    env: 'prod',
    expected: /no resources\.limits\.memory/,
  },
  {
    name: 'the Ingress exposing everything under /',
    file: 'apps/user-api/overlays/prod/ingress.yaml',
    from: '          - path: /api/v1\n',
    to: '          - path: /\n',
    unit: 'user-api',
    env: 'prod',
    expected: /exposes \/ \(only \/api\/v1 is public\)/,
  },
  {
    name: 'the Ingress routing to the admin Service',
    file: 'apps/user-api/overlays/dev/ingress.yaml',
    from: '                name: user-api\n                port: { name: http }',
    to: '                name: user-api-admin\n                port: { name: admin }',
    unit: 'user-api',
    env: 'dev',
    expected: /only user-api's public port 8080 may be exposed/,
  },
  {
    name: 'the gRPC Service published on a load balancer',
    file: 'apps/user-grpc/base/services.yaml',
    from: 'spec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: user-grpc',
    to: 'spec:\n  type: LoadBalancer\n  selector:\n    app.kubernetes.io/name: user-grpc',
    unit: 'user-grpc',
    env: 'prod',
    expected: /type LoadBalancer exposes pods outside the cluster/,
  },
  {
    name: 'production keeping audit records only 90 days',
    file: 'environments/prod/kustomization.yaml',
    from: 'AUDIT_RETENTION_DAYS=2555',
    to: 'AUDIT_RETENTION_DAYS=90',
    unit: 'audit-cleanup-worker',
    env: 'prod',
    expected: /AUDIT_RETENTION_DAYS is 90, expected 2555 in prod/,
  },
  {
    name: 'a single event-relay replica in production',
    file: 'apps/event-relay/overlays/prod/scaling.yaml',
    from: 'replicas: 3',
    to: 'replicas: 1',
    unit: 'event-relay',
    env: 'prod',
    expected: /prod needs ≥ 2 replicas/,
  },
  {
    name: 'an autoscaled Deployment that also pins its replica count',
    file: 'apps/user-api/overlays/staging/scaling.yaml',
    from: 'kind: Deployment\nmetadata:\n  name: user-api\nspec:\n',
    to: 'kind: Deployment\nmetadata:\n  name: user-api\nspec:\n  replicas: 2\n',
    unit: 'user-api',
    env: 'staging',
    expected: /sets spec\.replicas, which every apply would reset under the autoscaler/,
  },
  {
    name: 'a Service whose selector no longer matches the pods',
    file: 'apps/user-api/base/services.yaml',
    from: '  name: user-api-admin\n  labels:\n    app.kubernetes.io/name: user-api\n    app.kubernetes.io/part-of: pandora-user-service\nspec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: user-api',
    to: '  name: user-api-admin\n  labels:\n    app.kubernetes.io/name: user-api\n    app.kubernetes.io/part-of: pandora-user-service\nspec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: user-api-admin',
    unit: 'user-api',
    env: 'dev',
    expected: /Service\/user-api-admin: selects no pod of the render/,
  },
];

let workdir: string;
beforeEach(() => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'broken-k8s-'));
  fs.cpSync(K8S_ROOT, workdir, { recursive: true });
});
afterEach(() => fs.rmSync(workdir, { recursive: true, force: true }));

function breakFile(file: string, from: string, to: string): void {
  const target = path.join(workdir, file);
  const text = fs.readFileSync(target, 'utf8');
  // The breakage must really apply: a case whose anchor text vanished would prove nothing.
  expect(text.includes(from)).toBe(true);
  fs.writeFileSync(target, text.replace(from, to));
}

describe('a deliberately broken manifest', () => {
  it.each(BREAKAGES)('is rejected: $name', ({ file, from, to, unit, env, expected }) => {
    const overlay = unit === 'migrate' ? `migrate/overlays/${env}` : `apps/${unit}/overlays/${env}`;
    expect(manifestViolations(renderKustomization(path.join(workdir, overlay)), { unit, env })).toEqual([]);
    breakFile(file, from, to);
    const violations = manifestViolations(renderKustomization(path.join(workdir, overlay)), { unit, env });
    expect(violations).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('fails the render when a kustomization lists a file that does not exist', () => {
    breakFile('apps/user-grpc/base/kustomization.yaml', '  - pdb.yaml\n', '  - pdb.yaml\n  - pod-disruption-budget.yaml\n');
    expect(() => renderKustomization(path.join(workdir, 'apps/user-grpc/overlays/prod'))).toThrow(/kubectl kustomize .* failed/);
  });

  it('fails the render on invalid YAML', () => {
    breakFile('apps/event-relay/base/pdb.yaml', 'spec:\n  maxUnavailable: 1', 'spec:\n  maxUnavailable: [1\n');
    expect(() => renderKustomization(path.join(workdir, 'apps/event-relay/overlays/dev'))).toThrow(/kubectl kustomize .* failed/);
  });
});
