import { writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';
import { injectObject } from '../offline/injection.js';
import { parseManifest, type ManifestObject } from '../offline/manifests.js';
import { describeObject, objectKey, setPath } from '../offline/objects.js';
import { CONFIG_HELP, CONFIG_OPTION, loadCliProfiles, parseCommandArgs } from './options.js';
import { createProgress } from './progress.js';
import { renderManifest } from './render.js';
import { readDiskSources, readRefOrPath, STDIN_NAME } from './sources.js';
import { UsageError } from '../errors.js';

export const INJECT_HELP = `Usage: gossip-safe inject [-f FILE|DIR|-]... [options]

Writes Kubernetes manifests back with gossip-safe's injection applied, as the mutating webhook
would apply it to the pods: identity env, graceful-leave preStop, grace period, status annotation.
Works on Pods and on the pod templates of StatefulSets, Deployments, DaemonSets, Jobs and
CronJobs. Input is multi-document YAML, JSON or a List; output keeps the format and the order.
Documents that need no change are copied byte for byte; changed YAML keeps its comments.
For GitOps repositories that render injection at build time (like istioctl kube-inject).

Options:
  -f, --filename PATH    manifest file, directory (*.yaml, *.yml, *.json, recursively) or -
                         for stdin; repeatable (default: -)
  --migrate-from IMAGE   add the pre-migration step: templates of IMAGE's datastore get
                         gossip-safe.io/migrate-from-image=IMAGE and the gossip-premigrate init
                         container that first runs IMAGE on the pod's new IP
  --base REF_OR_PATH     the manifests as deployed now (file, directory or git ref): a datastore
                         whose version changes from base gets the pre-migration step, as the
                         webhook does on UPDATE
  -n, --namespace NS     namespace of objects that set none, for pairing with --base (default: default)
  -i, --in-place         rewrite the files instead of printing (not with stdin)
${CONFIG_HELP}

Output goes to stdout (several inputs: one YAML stream, separated by ---); what was injected
and any warnings go to stderr.

Examples:
  gossip-safe inject -f cassandra.yaml > cassandra.injected.yaml
  helm template db ./chart | gossip-safe inject -f - | kubectl apply -f -
  gossip-safe inject -f k8s/ --base origin/main --in-place
  gossip-safe inject -f statefulset.yaml --migrate-from cassandra:3.11.16

${exitCodesHelp(['clean', 'input', 'usage', 'software'], '0   done (warnings do not change the exit code)')}`;

/** The options `inject` takes (its help lists exactly these). */
export const INJECT_OPTIONS = {
  filename: { type: 'string', short: 'f', multiple: true },
  'migrate-from': { type: 'string' },
  base: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'in-place': { type: 'boolean', short: 'i' },
  ...CONFIG_OPTION,
} as const;

function joinStreams(parts: readonly string[]): string {
  return parts
    .map((part, i) => {
      const text = part.endsWith('\n') || part === '' ? part : `${part}\n`;
      return i === 0 || /^---(\s|$)/.test(text) ? text : `---\n${text}`;
    })
    .join('');
}

/** `gossip-safe inject`. */
export async function runInject(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('inject', argv, INJECT_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`inject: unexpected argument "${positionals[0]}"; name inputs with -f`);
  const files = values.filename ?? ['-'];
  const inPlace = values['in-place'] === true;
  if (inPlace && files.includes('-')) throw new UsageError('inject: --in-place cannot rewrite stdin');
  if (values['migrate-from'] !== undefined && values.base !== undefined) {
    throw new UsageError('inject: give --migrate-from or --base, not both');
  }
  if (values['migrate-from']?.trim() === '') throw new UsageError('inject: --migrate-from needs an image');
  const namespace = values.namespace ?? 'default';
  const profiles = loadCliProfiles(values.config);

  const manifests = readDiskSources(files).map(parseManifest);
  if (manifests.length === 0) throw new InputError(`inject: no manifest files (*.yaml, *.yml, *.json) in ${files.join(', ')}`);
  const baseByKey = new Map<string, ManifestObject>();
  if (values.base !== undefined) {
    const base = await readRefOrPath(values.base, files.filter((f) => f !== '-'), '--base');
    for (const source of base.sources) {
      for (const document of parseManifest(source).documents) {
        for (const o of document.objects) baseByKey.set(objectKey(o.object, namespace), o);
      }
    }
  }

  const outputs: string[] = [];
  const progress = createProgress('gossip-safe inject', 'documents', manifests.reduce((n, m) => n + m.documents.length, 0));
  let seen = 0;
  for (const manifest of manifests) {
    const replacements = new Map<number, unknown>();
    manifest.documents.forEach((document, index) => {
      progress.tick(seen++);
      let value = document.value;
      for (const o of document.objects) {
        const old = o.object.metadata?.name === undefined ? undefined : baseByKey.get(objectKey(o.object, namespace));
        const result = injectObject(
          {
            object: o.object,
            ...(old === undefined ? {} : { oldObject: old.object }),
            ...(values['migrate-from'] === undefined ? {} : { migrateFrom: values['migrate-from'] }),
          },
          profiles,
        );
        const where = `${o.source}:${o.line}: ${describeObject(o.object, namespace)}`;
        for (const w of result.warnings) process.stderr.write(`warning: ${where}: ${w}\n`);
        if (result.object === o.object) continue;
        process.stderr.write(`injected: ${where}: ${result.profile ?? '?'}: ${result.injected.join(', ')}\n`);
        value = setPath(value, o.path, result.object);
      }
      if (value !== document.value) replacements.set(index, value);
    });
    const text = replacements.size === 0 ? manifest.source.text : renderManifest(manifest, replacements);
    if (inPlace) {
      if (replacements.size > 0 && manifest.source.name !== STDIN_NAME) writeFileSync(manifest.source.name, text);
    } else {
      outputs.push(text);
    }
  }
  progress.done();
  if (!inPlace) process.stdout.write(joinStreams(outputs));
  return EXIT.clean;
}
