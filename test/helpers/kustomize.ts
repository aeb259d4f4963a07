import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PROJECT_DIR } from './fixtures.js';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

/** kubectl builds with a kustomize older than v4 cannot read these kustomization files. */
function kustomizeMajor(kubectl: string): number | undefined {
  try {
    const out = execFileSync(kubectl, ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    const m = /Kustomize Version: v(\d+)/.exec(out);
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

let found: string | undefined;

/**
 * The real renderer: `kubectl kustomize` from $KUBECTL, the pinned .tools/bin/kubectl
 * (scripts/install-kubectl.sh, run by .ci/run), or kubectl on PATH, the first with kustomize v4+.
 */
export function kubectl(): string {
  if (found !== undefined) return found;
  const candidates = [process.env['KUBECTL'], join(PROJECT_DIR, '.tools', 'bin', 'kubectl'), 'kubectl'].filter(
    (c): c is string => c !== undefined && c !== '' && (c === 'kubectl' || existsSync(c)),
  );
  for (const candidate of candidates) {
    if ((kustomizeMajor(candidate) ?? 0) >= 4) return (found = candidate);
  }
  throw new Error('no kubectl with kustomize v4+ found: run `npm run tools:kubectl` (installs a pinned one in .tools/bin) or set KUBECTL');
}

/** `kubectl kustomize DIR`, parsed; throws with kustomize's own message when it fails. */
export function renderKustomization(dir: string): K8sObject[] {
  const out = execFileSync(kubectl(), ['kustomize', join(PROJECT_DIR, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return parseAllDocuments(out).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: rendered YAML does not parse: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject;
  });
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`no ${kind} ${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}
