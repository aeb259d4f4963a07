import { audit } from '../audit/audit.js';
import { AUDIT_OUTPUT_FORMATS, formatAudit, policyReports } from '../audit/report.js';
import { createAuditClusterApi, POLICY_REPORT_GROUP, POLICY_REPORT_VERSION } from '../kube/audit-cluster.js';
import { ClusterAccessError, loadKubeConfig } from '../kube/kubeconfig.js';
import { InputError } from '../errors.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';
import { CONFIG_HELP, CONFIG_OPTION, loadCliProfiles, oneOf, parseCommandArgs } from './options.js';
import { UsageError } from '../errors.js';

export const AUDIT_HELP = `Usage: gossip-safe audit [-n NAMESPACE | -A] [options]
       kubectl gossip-safe audit [-n NAMESPACE | -A] [options]

Audits what already runs in a cluster, through the kubeconfig, read-only. For every datastore
workload (StatefulSet, Deployment, DaemonSet) and pod in the selected namespaces it reports:
  - the validating webhook's verdict on the workload's template, as a dry run of it under the
    namespace's gossip-safe.io/policy (warn where none is set), injected first where the
    namespace is opted in (gossip-safe.io/inject=enabled), exactly as a new apply would see it;
  - pod-not-injected: datastore pods created without the injection (no per-incarnation node
    name, leave hook or grace period), for example before the namespace opted in; they are
    unprotected until restarted;
  - premigrate-stuck: pods whose gossip-premigrate init container restarts, or runs past its
    timeout (an error);
  - rollout-unfinished: datastore workloads whose rollout has not finished.

Options:
  -n, --namespace NS       audit this namespace (default: the context's namespace, else default)
  -A, --all-namespaces     audit every namespace
  -o, --output FORMAT      text, json, yaml or policyreport (PolicyReport YAML, wgpolicyk8s.io/v1alpha2,
                           one per namespace, as Kyverno writes them) (default text)
      --write-reports      also create or update those PolicyReports (named gossip-safe-audit)
                           in the cluster; needs the PolicyReport CRD, else exit 3
      --fail-on-warn       exit 1 when there are warnings but no error
      --kubeconfig FILE    kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)
      --context NAME       kubeconfig context (default: the current one)
${CONFIG_HELP}

It only gets and lists namespaces, pods, StatefulSets, Deployments and DaemonSets: bind the
ClusterRole gossip-safe-audit (manifests/components/audit-rbac, or the chart's
audit.clusterRole), plus gossip-safe-audit-reports for --write-reports.

Examples:
  kubectl gossip-safe audit -A
  kubectl gossip-safe audit -n cassandra-prod -o json
  gossip-safe audit -A --write-reports && kubectl get policyreports -A

${exitCodesHelp(['clean', 'warnings', 'denied', 'input', 'usage', 'software'], '0   no error finding (warnings do not count without --fail-on-warn)', {
  warnings: '1   only warnings, and --fail-on-warn was given',
  denied: '2   at least one error finding: a workload the enforce webhook would deny now, a stuck pre-migration',
  input: '3   the cluster cannot be read (kubeconfig, connection, permissions), a bad --config, or\n      --write-reports finds no PolicyReport CRD',
})}`;

/** `gossip-safe audit`. */
export async function runAudit(argv: readonly string[], now: () => Date = () => new Date()): Promise<number> {
  const { values, positionals } = parseCommandArgs('audit', argv, {
    namespace: { type: 'string', short: 'n' },
    'all-namespaces': { type: 'boolean', short: 'A' },
    output: { type: 'string', short: 'o' },
    'write-reports': { type: 'boolean' },
    'fail-on-warn': { type: 'boolean' },
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    ...CONFIG_OPTION,
  });
  if (positionals.length > 0) throw new UsageError(`audit: unexpected argument "${positionals[0]}"; select namespaces with -n NS or -A`);
  if (values.namespace !== undefined && values['all-namespaces'] === true) throw new UsageError('audit: give either -n NAMESPACE or -A, not both');
  const output = oneOf('audit', '--output', values.output, AUDIT_OUTPUT_FORMATS, 'text');
  const profiles = loadCliProfiles(values.config);

  try {
    const kc = loadKubeConfig({
      ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
      ...(values.context === undefined ? {} : { context: values.context }),
    });
    const api = createAuditClusterApi(kc);
    const namespace = values['all-namespaces'] === true ? undefined : (values.namespace ?? api.defaultNamespace);
    const scope = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
    // Before reading anything: a missing CRD is known up front, and nothing is half written.
    if (values['write-reports'] === true && !(await api.policyReportsServed())) {
      throw new InputError(
        `audit --write-reports: the cluster has no PolicyReport CRD (${POLICY_REPORT_GROUP}/${POLICY_REPORT_VERSION}); install it (Kyverno and the wg-policy prototypes ship it) or drop --write-reports and use -o policyreport`,
      );
    }
    const [namespaces, pods, workloads] = await Promise.all([api.namespaces(namespace), api.pods(namespace), api.workloads(namespace)]);
    process.stderr.write(`gossip-safe audit: ${api.server}, ${scope}: ${workloads.length} workload${workloads.length === 1 ? '' : 's'}, ${pods.length} pod${pods.length === 1 ? '' : 's'}\n`);
    const at = now();
    const result = audit({ namespaces, pods, workloads }, profiles, at);
    process.stdout.write(formatAudit(result, output, scope, at));
    if (values['write-reports'] === true) {
      for (const report of policyReports(result, at)) {
        const how = await api.applyPolicyReport(report);
        process.stderr.write(`gossip-safe audit: policyreport ${report.metadata.namespace}/${report.metadata.name} ${how}\n`);
      }
    }
    if (result.summary.errors > 0) return EXIT.denied;
    if (values['fail-on-warn'] === true && result.summary.warnings > 0) return EXIT.warnings;
    return EXIT.clean;
  } catch (err) {
    if (err instanceof ClusterAccessError) throw new InputError(`audit: ${err.message}`);
    throw err;
  }
}
