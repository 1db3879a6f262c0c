import type { K8sObject } from './kustomize';
import { allContainers, find, ofKind, podTemplates, type Container, type PodTemplate } from './k8s-model';

/** Environment variable / ConfigMap key names whose values are credentials. */
export const SECRET_NAME = /(PASSWORD|SECRET|_TOKEN|_TOKENS|PRIVATE_KEY|SIGNING_KEYS|DATABASE_URL|DATABASE_DIRECT_URL|REDIS_URL|SMTP_URL)$/;

/** A release version (`1.4.2`, `v1.4.2-rc.1`): what production pins when it does not pin a digest. */
const RELEASE_TAG = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** `registry/name:tag` / `name@sha256:…` → its tag and digest (either may be missing). */
export function imageReference(image: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, digest };
}

export function imageViolations(where: string, image: string | undefined, requireRelease: boolean): string[] {
  if (!image) return [`${where}: no image`];
  const { tag, digest } = imageReference(image);
  if (digest) return /^sha256:[0-9a-f]{64}$/.test(digest) ? [] : [`${where}: malformed image digest "${digest}"`];
  if (!tag) return [`${where}: image "${image}" has no tag (that means :latest)`];
  if (tag === 'latest') return [`${where}: image "${image}" uses the mutable :latest tag`];
  if (requireRelease && !RELEASE_TAG.test(tag)) return [`${where}: production image "${image}" must be a release version or a digest`];
  return [];
}

function containerViolations(pod: PodTemplate, container: Container, requireRelease: boolean): string[] {
  const where = `${pod.id} container ${container.name}`;
  const problems = imageViolations(where, container.image, requireRelease);
  const security = container.securityContext ?? {};
  if (security.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
  if (security.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem must be true`);
  if (security.privileged === true) problems.push(`${where}: must not be privileged`);
  if (security.runAsNonRoot === false || security.runAsUser === 0) problems.push(`${where}: must not run as root`);
  if (!(security.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities must drop ALL`);
  if ((security.capabilities?.add ?? []).length > 0)
    problems.push(`${where}: must not add capabilities (${security.capabilities?.add?.join(', ')})`);

  for (const [kind, resource] of [
    ['requests', 'cpu'],
    ['requests', 'memory'],
    ['limits', 'cpu'],
    ['limits', 'memory'],
  ] as const) {
    if (container.resources?.[kind]?.[resource] === undefined) problems.push(`${where}: no resources.${kind}.${resource}`);
  }

  // A read-only root filesystem needs somewhere to write temporary files.
  const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
  const tmpVolume = tmp && pod.spec.volumes?.find((volume) => volume.name === tmp.name);
  if (!tmpVolume || tmpVolume.emptyDir === undefined)
    problems.push(`${where}: /tmp must be an emptyDir (the root filesystem is read-only)`);

  for (const variable of container.env ?? []) {
    if (SECRET_NAME.test(variable.name) && !variable.valueFrom?.secretKeyRef) {
      problems.push(`${where}: ${variable.name} must come from a Secret (secretKeyRef), never a literal or a ConfigMap`);
    }
  }
  return problems;
}

function probeViolations(pod: PodTemplate, container: Container): string[] {
  const where = `${pod.id} container ${container.name}`;
  const problems: string[] = [];
  if (!container.livenessProbe) problems.push(`${where}: no livenessProbe`);
  if (!container.readinessProbe) problems.push(`${where}: no readinessProbe`);
  for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
    const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
    if (probe && port !== undefined) {
      const declared = (container.ports ?? []).some((candidate) => candidate.name === port || candidate.containerPort === port);
      if (!declared) problems.push(`${where}: a probe targets port ${port}, which the container does not declare`);
    }
  }
  return problems;
}

/** Pod-level and container-level rules every workload of the service obeys. */
export function workloadViolations(objects: K8sObject[], options: { requireReleaseImages: boolean }): string[] {
  const problems: string[] = [];
  const pods = podTemplates(objects);
  for (const pod of pods) {
    const security = pod.spec.securityContext ?? {};
    if (security.runAsNonRoot !== true) problems.push(`${pod.id}: pod securityContext.runAsNonRoot must be true`);
    if (!Number.isInteger(security.runAsUser) || (security.runAsUser as number) < 10_000) {
      problems.push(`${pod.id}: pod securityContext.runAsUser must be a numeric UID ≥ 10000 (the images run as 10001)`);
    }
    if (security.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${pod.id}: pod seccompProfile must be RuntimeDefault`);
    if (pod.spec.automountServiceAccountToken !== false) problems.push(`${pod.id}: automountServiceAccountToken must be false`);
    if (pod.spec.serviceAccountName && !find(objects, 'ServiceAccount', pod.spec.serviceAccountName)) {
      problems.push(`${pod.id}: ServiceAccount ${pod.spec.serviceAccountName} is not part of the render`);
    }
    if ((pod.spec.containers ?? []).length === 0) problems.push(`${pod.id}: no containers`);
    for (const container of allContainers(pod.spec)) problems.push(...containerViolations(pod, container, options.requireReleaseImages));
    if (pod.longRunning) for (const container of pod.spec.containers ?? []) problems.push(...probeViolations(pod, container));
    else if (!['Never', 'OnFailure'].includes(pod.spec.restartPolicy ?? ''))
      problems.push(`${pod.id}: restartPolicy must be Never or OnFailure`);
  }

  for (const deployment of ofKind(objects, 'Deployment')) {
    const spec = deployment.spec as {
      selector?: { matchLabels?: Record<string, string> };
      template?: { metadata?: { labels?: Record<string, string> } };
    };
    const labels = spec.template?.metadata?.labels ?? {};
    const selector = spec.selector?.matchLabels ?? {};
    if (Object.keys(selector).length === 0 || !Object.entries(selector).every(([key, value]) => labels[key] === value)) {
      problems.push(`Deployment/${deployment.metadata.name}: selector does not match its own pod labels`);
    }
  }
  return problems;
}

/** Secrets never live in the repository: no Secret objects, no secret-looking ConfigMap keys. */
export function secretViolations(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    if (object.kind === 'Secret')
      problems.push(`Secret/${object.metadata.name}: Secret objects must not be committed (reference them; see the runbook)`);
    if (object.kind === 'ConfigMap') {
      for (const key of Object.keys((object.data as Record<string, string> | undefined) ?? {})) {
        if (SECRET_NAME.test(key)) problems.push(`ConfigMap/${object.metadata.name}: key ${key} is a secret and belongs in a Secret`);
      }
    }
  }
  return problems;
}

/** Names of the Secrets a render references (env, envFrom, volumes). */
export function referencedSecrets(objects: K8sObject[]): string[] {
  const names = new Set<string>();
  for (const pod of podTemplates(objects)) {
    for (const container of allContainers(pod.spec)) {
      for (const variable of container.env ?? []) if (variable.valueFrom?.secretKeyRef) names.add(variable.valueFrom.secretKeyRef.name);
      for (const source of container.envFrom ?? []) if (source.secretRef) names.add(source.secretRef.name);
    }
    for (const volume of pod.spec.volumes ?? []) if (volume.secret) names.add(volume.secret.secretName);
  }
  return [...names].sort();
}

/**
 * The environment a container starts with, as far as the manifests decide it: its ConfigMaps (in
 * envFrom order) and literal values. Secret-backed variables appear as `<secret:name/key>`.
 */
export function effectiveEnvironment(objects: K8sObject[], container: Container): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef) continue;
    const configMap = find(objects, 'ConfigMap', source.configMapRef.name);
    if (!configMap) problems.push(`container ${container.name}: ConfigMap ${source.configMapRef.name} is not part of the render`);
    else Object.assign(env, (configMap.data as Record<string, string> | undefined) ?? {});
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.configMapKeyRef;
    const secret = variable.valueFrom?.secretKeyRef;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (secret) env[variable.name] = `<secret:${secret.name}/${secret.key}>`;
    else if (ref) {
      const value = (find(objects, 'ConfigMap', ref.name)?.data as Record<string, string> | undefined)?.[ref.key];
      if (value === undefined)
        problems.push(`container ${container.name}: ${variable.name} refers to a missing ConfigMap key ${ref.name}/${ref.key}`);
      else env[variable.name] = value;
    }
  }
  return { env, problems };
}
