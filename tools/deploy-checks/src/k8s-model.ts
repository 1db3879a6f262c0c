import { objectId, type K8sObject } from './kustomize';

/** The parts of the Kubernetes API the checks read (everything optional: absence is what they report). */
export interface Probe {
  httpGet?: { path?: string; port: string | number };
  grpc?: { port: number; service?: string };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}

export interface Container {
  name: string;
  image?: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    fsGroup?: number;
    seccompProfile?: { type?: string };
  };
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  restartPolicy?: string;
  volumes?: Array<{ name: string; emptyDir?: unknown; secret?: { secretName: string; optional?: boolean } }>;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

/** A pod template and the workload that owns it. */
export interface PodTemplate {
  owner: K8sObject;
  id: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PodSpec;
  /** Deployments serve; Jobs and CronJobs run to completion. */
  longRunning: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects.flatMap((object): PodTemplate[] => {
    const spec = object.spec as Loose;
    let template: Loose;
    if (object.kind === 'Deployment' || object.kind === 'StatefulSet' || object.kind === 'DaemonSet' || object.kind === 'Job')
      template = spec?.template;
    else if (object.kind === 'CronJob') template = spec?.jobTemplate?.spec?.template;
    else if (object.kind === 'Pod') template = { metadata: object.metadata, spec };
    else return [];
    return [
      {
        owner: object,
        id: objectId(object),
        labels: template?.metadata?.labels ?? {},
        annotations: template?.metadata?.annotations ?? {},
        spec: template?.spec ?? {},
        longRunning: object.kind !== 'Job' && object.kind !== 'CronJob',
      },
    ];
  });
}

export const allContainers = (spec: PodSpec): Container[] => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];

export const ofKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((object) => object.kind === kind);

export const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((object) => object.kind === kind && object.metadata?.name === name);

export const field = <T = Loose>(object: K8sObject, ...keys: string[]): T | undefined => {
  let value: Loose = object;
  for (const key of keys) value = value?.[key];
  return value as T | undefined;
};

/** Whether a label selector's matchLabels all hold on `labels` (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

export const isEmptySelector = (selector: LabelSelector | undefined): boolean =>
  selector !== undefined && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;

/** The port number a probe/Service refers to, resolving a named port against the container's ports. */
export function resolvePort(port: string | number | undefined, containers: Container[]): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  for (const container of containers) {
    const match = container.ports?.find((candidate) => candidate.name === port);
    if (match) return match.containerPort;
  }
  return undefined;
}
