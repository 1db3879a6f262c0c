import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, read loosely: the checks look fields up and report what is missing. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** kubectl from $KUBECTL or the PATH (tools/scripts/provision.sh installs Debian's kubernetes-client when there is none). */
export const kubectlBinary = (): string => process.env.KUBECTL ?? 'kubectl';

export function kubectlVersion(): string {
  const result = spawnSync(kubectlBinary(), ['version', '--client'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `kubectl is not available (${result.error?.message ?? result.stderr}); "npm run provision" installs it (Debian kubernetes-client)`,
    );
  }
  return result.stdout.trim();
}

/** Every YAML document of a multi-document string, as plain objects; a syntax error throws. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return [];
  const errors = documents.flatMap((document) => document.errors.map((error) => error.message));
  if (errors.length > 0) throw new Error(`${source}: ${errors.join('; ')}`);
  return documents.map((document) => document.toJS({ maxAliasCount: 1000 })).filter((value) => value !== null && value !== undefined);
}

/** `kubectl kustomize <dir>`: the objects it renders. A failing render throws with kustomize's message. */
export function renderKustomization(dir: string): K8sObject[] {
  const result = spawnSync(kubectlBinary(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr.trim()}`);
  return parseYamlDocuments(result.stdout, dir) as K8sObject[];
}

export const objectId = (object: K8sObject): string => `${object.kind}/${object.metadata?.name}`;
