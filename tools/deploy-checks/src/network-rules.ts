import type { K8sObject } from './kustomize';
import { field, isEmptySelector, ofKind, podTemplates, resolvePort, selects, type LabelSelector } from './k8s-model';

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: Array<{ protocol?: string; port?: number | string }>;
}
interface PolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

const policySpec = (policy: K8sObject): PolicySpec => (policy.spec as PolicySpec | undefined) ?? {};

/** Ports a pod may open to the outside of the namespace only for labelled callers. */
export const RESTRICTED_PORTS: Record<string, number[]> = { 'user-api': [8081], 'user-grpc': [9090] };
/** Where pods may connect: DNS, PostgreSQL, PgBouncer, Redis and its sentinels, OTLP (gRPC and HTTP), the Pushgateway, SMTP submission and SMTPS. */
export const ALLOWED_EGRESS_PORTS = [53, 5432, 6432, 6379, 26379, 4317, 4318, 9091, 587, 465];

/**
 * A peer that stays inside the namespace or names its callers: a bare podSelector (this namespace),
 * or a namespaceSelector AND a podSelector that both require labels.
 */
function isNamedPeer(peer: Peer): boolean {
  if (peer.ipBlock) return false;
  if (!peer.namespaceSelector) return peer.podSelector !== undefined;
  return !isEmptySelector(peer.namespaceSelector) && peer.podSelector !== undefined && !isEmptySelector(peer.podSelector);
}

export function networkPolicyViolations(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const policies = ofKind(objects, 'NetworkPolicy');
  const defaultDeny = policies.find((policy) => {
    const spec = policySpec(policy);
    return (
      isEmptySelector(spec.podSelector ?? {}) &&
      (spec.policyTypes ?? []).includes('Ingress') &&
      (spec.policyTypes ?? []).includes('Egress') &&
      (spec.ingress ?? []).length === 0 &&
      (spec.egress ?? []).length === 0
    );
  });
  if (!defaultDeny) problems.push('no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)');

  const pods = podTemplates(objects);
  for (const policy of policies) {
    const id = `NetworkPolicy/${policy.metadata.name}`;
    const spec = policySpec(policy);
    const selectedPods = pods.filter((pod) => selects(spec.podSelector, pod.labels));
    for (const rule of spec.ingress ?? []) {
      if (!rule.from || rule.from.length === 0) problems.push(`${id}: an ingress rule without "from" admits every source`);
      if ((rule.from ?? []).some((peer) => peer.ipBlock)) problems.push(`${id}: ingress by IP block (callers are selected by labels)`);
      for (const pod of selectedPods) {
        const restricted = RESTRICTED_PORTS[pod.labels['app.kubernetes.io/name']] ?? [];
        const containers = pod.spec.containers ?? [];
        const opened =
          rule.ports === undefined || rule.ports.length === 0 ? restricted : rule.ports.map((port) => resolvePort(port.port, containers));
        for (const port of restricted.filter((candidate) => opened.includes(candidate))) {
          if (!(rule.from ?? []).every(isNamedPeer)) {
            problems.push(`${id}: port ${port} of ${pod.id} is reachable from outside the namespace by unlabelled callers`);
          }
        }
      }
    }
    for (const rule of spec.egress ?? []) {
      if (!rule.to || rule.to.length === 0) problems.push(`${id}: an egress rule without "to" allows every destination`);
      if (!rule.ports || rule.ports.length === 0) problems.push(`${id}: an egress rule without ports allows every port`);
      for (const port of rule.ports ?? []) {
        if (typeof port.port !== 'number' || !ALLOWED_EGRESS_PORTS.includes(port.port)) {
          problems.push(`${id}: egress to port ${port.port} (allowed: ${ALLOWED_EGRESS_PORTS.join(', ')})`);
        }
      }
      for (const peer of rule.to ?? []) if (peer.ipBlock?.cidr === '0.0.0.0/0') problems.push(`${id}: egress to the whole internet`);
    }
  }
  return problems;
}

/** Services, autoscalers and budgets point at pods that exist, on ports the pods declare. */
export function referenceViolations(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const pods = podTemplates(objects);
  for (const service of ofKind(objects, 'Service')) {
    const id = `Service/${service.metadata.name}`;
    const type = field<string>(service, 'spec', 'type') ?? 'ClusterIP';
    if (type !== 'ClusterIP') problems.push(`${id}: type ${type} exposes pods outside the cluster (only the Ingress may)`);
    const selector = field<Record<string, string>>(service, 'spec', 'selector') ?? {};
    const targets = pods.filter((pod) => Object.keys(selector).length > 0 && selects({ matchLabels: selector }, pod.labels));
    if (targets.length === 0) {
      problems.push(`${id}: selects no pod of the render`);
      continue;
    }
    for (const port of field<Array<{ name?: string; port: number; targetPort?: string | number }>>(service, 'spec', 'ports') ?? []) {
      const resolved = resolvePort(
        port.targetPort ?? port.port,
        targets.flatMap((pod) => pod.spec.containers ?? []),
      );
      if (resolved === undefined) problems.push(`${id}: targetPort ${port.targetPort} is not a port of its pods`);
    }
  }

  for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const id = `HorizontalPodAutoscaler/${hpa.metadata.name}`;
    const target = field<{ kind: string; name: string }>(hpa, 'spec', 'scaleTargetRef');
    const deployment = objects.find((object) => object.kind === target?.kind && object.metadata.name === target?.name);
    if (!deployment) problems.push(`${id}: scales ${target?.kind}/${target?.name}, which is not part of the render`);
    else if (field(deployment, 'spec', 'replicas') !== undefined) {
      problems.push(`${id}: ${target?.kind}/${target?.name} sets spec.replicas, which every apply would reset under the autoscaler`);
    }
    const min = field<number>(hpa, 'spec', 'minReplicas') ?? 1;
    const max = field<number>(hpa, 'spec', 'maxReplicas') ?? 0;
    if (min < 1 || max < min) problems.push(`${id}: minReplicas ${min} / maxReplicas ${max} are inconsistent`);
  }

  for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
    const id = `PodDisruptionBudget/${pdb.metadata.name}`;
    const selector = field<LabelSelector>(pdb, 'spec', 'selector');
    if (!selector || isEmptySelector(selector) || !pods.some((pod) => selects(selector, pod.labels)))
      problems.push(`${id}: selects no pod of the render`);
    if (field(pdb, 'spec', 'maxUnavailable') === undefined && field(pdb, 'spec', 'minAvailable') === undefined) {
      problems.push(`${id}: neither maxUnavailable nor minAvailable`);
    }
  }
  return problems;
}

interface IngressPath {
  path?: string;
  pathType?: string;
  backend?: { service?: { name: string; port?: { name?: string; number?: number } } };
}

/** The only way in from outside: the public port of user-api, under /api/v1, over TLS. */
export function ingressViolations(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const ingress of ofKind(objects, 'Ingress')) {
    const id = `Ingress/${ingress.metadata.name}`;
    if (field(ingress, 'spec', 'defaultBackend') !== undefined) problems.push(`${id}: a defaultBackend routes every path`);
    if ((field<unknown[]>(ingress, 'spec', 'tls') ?? []).length === 0) problems.push(`${id}: no TLS`);
    const rules = field<Array<{ host?: string; http?: { paths?: IngressPath[] } }>>(ingress, 'spec', 'rules') ?? [];
    if (rules.length === 0) problems.push(`${id}: no rules`);
    for (const rule of rules) {
      if (!rule.host) problems.push(`${id}: a rule without host answers for every host name`);
      for (const route of rule.http?.paths ?? []) {
        if (route.path !== '/api/v1' && !route.path?.startsWith('/api/v1/'))
          problems.push(`${id}: exposes ${route.path ?? '/'} (only /api/v1 is public)`);
        if (route.path?.startsWith('/api/v1/admin')) problems.push(`${id}: exposes the admin API`);
        if (route.pathType !== 'Prefix' && route.pathType !== 'Exact')
          problems.push(`${id}: pathType ${route.pathType} is implementation-specific`);
        const backend = route.backend?.service;
        const port = backend?.port?.name ?? backend?.port?.number;
        if (backend?.name !== 'user-api' || (port !== 'http' && port !== 8080)) {
          problems.push(`${id}: routes ${route.path} to ${backend?.name}:${port} (only user-api's public port 8080 may be exposed)`);
        }
      }
    }
  }
  return problems;
}
