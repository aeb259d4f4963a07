import { createEndpoints } from '../webhook/endpoints.js';
import { checkPair } from '../offline/check-pair.js';
import { formatReport, OUTPUT_FORMATS, summarize } from './check-report.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { parseManifest, type ManifestObject, type ManifestSource } from '../offline/manifests.js';
import { describeObject, pairObjects } from '../offline/objects.js';
import { CONFIG_HELP, CONFIG_OPTION, loadCliProfiles, oneOf, parseCommandArgs, parseMode } from './options.js';
import { createProgress } from './progress.js';
import { readDiskSources, readRefOrPath } from './sources.js';
import { UsageError } from '../errors.js';

export const CHECK_HELP = `Usage: gossip-safe check --base REF_OR_PATH [--head REF_OR_PATH] [options] [PATH...]

Gives the validating webhook's verdict before merge. Loads the manifests of the base (what runs
now) and of the head (the change), pairs objects by API group, kind, namespace and name, and
runs the webhook's validation rules: as an UPDATE from the base object for objects in both, as a
CREATE for new ones. Deleted objects are never denied. The same handler as the HTTPS webhook
decides, so the messages are the ones kubectl would show.

PATH... are files or directories (*.yaml, *.yml, *.json, recursively), or - for stdin; they are
read from the working tree, or from --head when given (default: .). A REF_OR_PATH that exists
on disk is a file or directory; otherwise it must be a git ref (branch, tag, commit, HEAD~1),
read at the same PATHs with git, without a checkout.

Options:
  --base REF_OR_PATH     the manifests as deployed now (required)
  --head REF_OR_PATH     the changed manifests (default: PATH... in the working tree)
  --mode enforce|warn    the webhook entry to mirror (default enforce); warn never denies
  --assume-injection     take namespaces as opted in (gossip-safe.io/inject=enabled): apply
                         the mutating webhook first, as the cluster does before validating
  -o, --output FORMAT    text, json, yaml, junit, sarif or github (default text)
  --fail-on-warn         exit 1 when there are warnings but no denial
  -n, --namespace NS     namespace of objects that set none (default: default)
${CONFIG_HELP}

Results go to stdout, logs to stderr.

Examples:
  gossip-safe check --base origin/main k8s/
  gossip-safe check --base HEAD~1 --assume-injection .
  helm template db ./chart | gossip-safe check --base deployed.yaml -
  gossip-safe check --base origin/main --output sarif k8s/ > gossip-safe.sarif
  gossip-safe check --base v1.2.0 --head v1.3.0 --mode warn --output junit deploy/ > report.xml

${EXIT_CODES_HELP}`;

function objectsOf(sources: readonly ManifestSource[], label: string): ManifestObject[] {
  const progress = createProgress(`gossip-safe check: reading ${label}`, 'files', sources.length);
  const objects = sources.flatMap((s, i) => {
    progress.tick(i);
    return parseManifest(s).documents.flatMap((d) => d.objects);
  });
  progress.done();
  return objects;
}

function countLabel(objects: readonly ManifestObject[], sources: readonly ManifestSource[]): string {
  return `${objects.length} object${objects.length === 1 ? '' : 's'} in ${sources.length} file${sources.length === 1 ? '' : 's'}`;
}

/** `gossip-safe check`. */
export async function runCheck(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('check', argv, {
    base: { type: 'string' },
    head: { type: 'string' },
    mode: { type: 'string' },
    'assume-injection': { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    'fail-on-warn': { type: 'boolean' },
    namespace: { type: 'string', short: 'n' },
    ...CONFIG_OPTION,
  });
  if (values.base === undefined || values.base === '') throw new UsageError('check: --base REF_OR_PATH is required (for example --base origin/main)');
  const mode = parseMode('check', values.mode);
  const output = oneOf('check', '--output', values.output, OUTPUT_FORMATS, 'text');
  const paths = positionals.length === 0 ? ['.'] : positionals;
  if (values.head !== undefined && paths.includes('-')) throw new UsageError('check: - (stdin) reads the head; do not combine it with --head');
  const defaultNamespace = values.namespace ?? 'default';
  const profiles = loadCliProfiles(values.config);

  const onDisk = paths.filter((p) => p !== '-');
  const head =
    values.head === undefined
      ? { label: paths.includes('-') && onDisk.length === 0 ? 'stdin' : 'working tree', sources: readDiskSources(paths) }
      : await readRefOrPath(values.head, paths, '--head');
  const base = await readRefOrPath(values.base, onDisk.length === 0 ? ['.'] : onDisk, '--base');
  const headObjects = objectsOf(head.sources, 'the head');
  const baseObjects = objectsOf(base.sources, 'the base');
  process.stderr.write(
    `gossip-safe check: base ${base.label}: ${countLabel(baseObjects, base.sources)}; head ${head.label}: ${countLabel(headObjects, head.sources)}\n`,
  );

  const { pairs, deleted, duplicates } = pairObjects(baseObjects, headObjects, defaultNamespace);
  for (const d of duplicates) process.stderr.write(`gossip-safe check: warning: ${d} is defined more than once; the last one counts\n`);
  for (const d of deleted) process.stderr.write(`gossip-safe check: ${describeObject(d.object, defaultNamespace)} is only in the base (deleted; never denied)\n`);

  const endpoints = createEndpoints({ profiles });
  const assumeInjection = values['assume-injection'] === true;
  const progress = createProgress('gossip-safe check', 'objects', pairs.length);
  const results = pairs.map((pair, i) => {
    progress.tick(i);
    return checkPair(pair, { mode, assumeInjection, defaultNamespace, profiles, endpoints });
  });
  progress.done();
  const failOnWarn = values['fail-on-warn'] === true;
  process.stdout.write(formatReport({ mode, base: base.label, head: head.label, assumeInjection, failOnWarn, results }, output));

  const summary = summarize(results);
  if (summary.denied > 0) return EXIT.denied;
  if (failOnWarn && summary.warned > 0) return EXIT.warnings;
  return EXIT.clean;
}
