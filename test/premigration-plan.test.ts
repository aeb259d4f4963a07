import type { AdmissionRequest, AdmissionReviewResponse } from '../src/admission/types.js';
import { checkPair } from '../src/offline/check-pair.js';
import type { K8sObject } from '../src/offline/manifests.js';
import {
  ANNOTATION_MIGRATE_FROM,
  ANNOTATION_PREMIGRATE_CONFIG_VOLUME,
  PREMIGRATE_CONTAINER,
} from '../src/contract.js';
import type { Container, Pod, PodTemplateSpec, Workload } from '../src/k8s/types.js';
import { applyPatch } from '../src/patch/diff.js';
import { mutatePod } from '../src/mutate/pod.js';
import { MAX_PORT_LIST_PARTS, parsePortList } from '../src/datastore/premigration.js';
import { mutateWorkloadUpdate } from '../src/mutate/workload.js';
import { ENV_MARKER_DIR } from '../src/premigrate/shell.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { createEndpoints } from '../src/webhook/endpoints.js';
import { handleMutation } from '../src/webhook/mutate.js';
import { handleValidation } from '../src/webhook/validate.js';
import { loadReview } from './helpers/fixtures.js';
import { sendReview, startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

/**
 * Issue 11, webhook side: the cases of "What is wrong today" that the webhook decides, each as
 * the operator meets it. Every case runs the mutating and the validating handler the cluster
 * runs; the rule cases also run `check` (the CLI) on the same objects and expect its verdict.
 */
const profiles = createProfileSet(BUILTIN_PROFILES);
const ctx = { profiles };
const endpoints = createEndpoints(ctx);
const upgrade = loadReview('statefulset-update-cassandra-3.11-to-4.1.json').request;
const POD_FIXTURE = 'pod-create-from-statefulset-new-revision-cassandra.json';
const UNFINISHED = { replicas: 3, updatedReplicas: 1, currentRevision: 'cassandra-a', updateRevision: 'cassandra-b', observedGeneration: 2 };
const FINISHED = { replicas: 3, updatedReplicas: 3, currentRevision: 'cassandra-b', updateRevision: 'cassandra-b', observedGeneration: 2 };

function templateOf(w: Workload): PodTemplateSpec {
  return w.spec!.template!;
}
function mainOf(t: PodTemplateSpec): Container {
  return t.spec!.containers[0]!;
}
function annotationsOf(t: PodTemplateSpec): Record<string, string> | undefined {
  return t.metadata?.annotations ?? undefined;
}

/** Revision A (3.11.16, as recorded) and revision B (4.1.3, as the mutating webhook left it). */
function revisions(): { a: Workload; b: Workload } {
  const a = structuredClone(upgrade.oldObject) as Workload;
  const request: AdmissionRequest = { ...upgrade, uid: 'up' };
  const outcome = handleMutation(request, ctx);
  const b = applyPatch(upgrade.object, outcome.patch ?? []) as Workload;
  expect(annotationsOf(templateOf(b))?.[ANNOTATION_MIGRATE_FROM]).toBe('cassandra:3.11.16');
  return { a, b };
}

function workloadUpdate(old: Workload, now: Workload): AdmissionRequest {
  return { uid: 'u', kind: { group: 'apps', version: 'v1', kind: 'StatefulSet' }, operation: 'UPDATE', namespace: 'cassandra-prod', name: 'cassandra', object: now, oldObject: old };
}

function podCreate(edit: (pod: Pod) => void, annotations: Record<string, string> = { [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16' }): AdmissionRequest {
  const request = loadReview(POD_FIXTURE).request;
  const pod = request.object as Pod;
  pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...annotations } };
  edit(pod);
  return request;
}

/** The mutating webhook, then the validating one, as the apiserver chains them. */
function admit(request: AdmissionRequest, mode: 'enforce' | 'warn' = 'enforce') {
  const mutation = handleMutation(request, ctx);
  const object = applyPatch(request.object, mutation.patch ?? []);
  const validation = handleValidation({ ...request, object }, ctx, mode);
  return { mutation, object, validation };
}

/** What `gossip-safe check` says about the same pair (without --assume-injection: the validating webhook alone). */
function check(request: AdmissionRequest, mode: 'enforce' | 'warn' = 'enforce') {
  const head = { source: 'head.yaml', line: 1, path: [], object: { ...(request.object as K8sObject), kind: request.kind.kind, apiVersion: request.kind.group === '' ? 'v1' : `${request.kind.group}/v1` } };
  const base = request.oldObject == null ? undefined : { source: 'base.yaml', line: 1, path: [], object: { ...(request.oldObject as K8sObject), kind: request.kind.kind, apiVersion: 'apps/v1' } };
  return checkPair({ head, ...(base === undefined ? {} : { base }) }, { mode, assumeInjection: false, defaultNamespace: 'cassandra-prod', profiles, endpoints });
}

/** The webhook's verdict and the CLI's are the same: allowed, denial text and rule ids. */
function expectSameVerdict(request: AdmissionRequest, mode: 'enforce' | 'warn' = 'enforce') {
  const webhook = handleValidation(request, ctx, mode);
  const cli = check(request, mode);
  expect(cli.allowed).toBe(webhook.allowed);
  expect(cli.message).toBe(webhook.status?.message);
  expect(cli.findings.map((f) => f.rule).sort()).toEqual([...(webhook.rules ?? [])].sort());
  return webhook;
}

function premigrateOf(pod: Pod): Container | undefined {
  return (pod.spec?.initContainers ?? []).find((c) => c.name === PREMIGRATE_CONTAINER);
}

describe('case 1: rollback and downgrade', () => {
  test('a downgrade 4.1.3 -> 3.11.16 never gets migrate-from-image', () => {
    const { b } = revisions();
    const down = structuredClone(b);
    delete templateOf(down).metadata!.annotations![ANNOTATION_MIGRATE_FROM];
    const old = structuredClone(b);
    delete templateOf(old).metadata!.annotations![ANNOTATION_MIGRATE_FROM];
    mainOf(templateOf(down)).image = 'cassandra:3.11.16';
    const result = mutateWorkloadUpdate(old, down, ctx);
    expect(result.patch).toEqual([]);
    expect(annotationsOf(templateOf(result.object))?.[ANNOTATION_MIGRATE_FROM]).toBeUndefined();
  });

  test('a downgrade that is not a rollback drops the carried-over annotation, with a warning', () => {
    const { b } = revisions();
    const down = structuredClone(b);
    mainOf(templateOf(down)).image = 'cassandra:4.0.11';
    const result = mutateWorkloadUpdate(b, down, ctx);
    expect(annotationsOf(templateOf(result.object))?.[ANNOTATION_MIGRATE_FROM]).toBeUndefined();
    expect(result.warnings.join('\n')).toContain('is a downgrade: removed gossip-safe.io/migrate-from-image="cassandra:3.11.16"');
  });

  test('helm rollback (image edited back, annotation kept by the 3-way merge): the template equals the pre-upgrade revision', () => {
    const { a, b } = revisions();
    const back = structuredClone(b);
    mainOf(templateOf(back)).image = 'cassandra:3.11.16';
    const result = mutateWorkloadUpdate(b, back, ctx);
    expect(templateOf(result.object)).toEqual(templateOf(a));
    expect(result.warnings.join('\n')).toContain('rollback to 3.11.16: removed gossip-safe.io/migrate-from-image');
  });

  test('kubectl rollout undo (the pre-upgrade template itself) is left exactly as it is', () => {
    const { a, b } = revisions();
    const undo = structuredClone(b);
    undo.spec!.template = structuredClone(templateOf(a));
    const result = mutateWorkloadUpdate(b, undo, ctx);
    expect(result.patch).toEqual([]);
    expect(templateOf(result.object)).toEqual(templateOf(a));
  });

  test('the rollback is version-aware: a mirror with a -jammy flavour of 3.11.16 is the same rollback', () => {
    const { b } = revisions();
    const back = structuredClone(b);
    mainOf(templateOf(back)).image = 'mirror.example:5000/library/cassandra:3.11.16-jammy';
    const result = mutateWorkloadUpdate(b, back, ctx);
    expect(annotationsOf(templateOf(result.object))?.[ANNOTATION_MIGRATE_FROM]).toBeUndefined();
  });

  test('rollout-in-progress names only the rollback it allows, and following it is allowed with a warning', () => {
    const { b } = revisions();
    b.status = UNFINISHED;
    b.metadata = { ...b.metadata, generation: 2 };
    // Another change on top of the unfinished rollout: denied, and the message says how to abort.
    const other = structuredClone(b);
    delete other.status;
    mainOf(templateOf(other)).image = 'cassandra:4.1.5';
    const denied = expectSameVerdict(workloadUpdate(b, other));
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toContain(
      'finish it (kubectl rollout status statefulset/cassandra -n cassandra-prod) before changing cassandra 4.1.3 -> 4.1.5, or abort it by going back to 3.11.16 (kubectl rollout undo statefulset/cassandra -n cassandra-prod)',
    );
    // Doing what it says: back to 3.11.16 while 1/3 pods run 4.1.3.
    const undo = structuredClone(b);
    delete undo.status;
    undo.spec!.template = structuredClone(templateOf(structuredClone(upgrade.oldObject) as Workload));
    const request = workloadUpdate(b, undo);
    const { mutation, validation } = admit(request);
    expect(mutation.patch ?? []).toEqual([]);
    expect(validation.allowed).toBe(true);
    expect(validation.rules).toEqual(['rollback-during-rollout']);
    expect(validation.warnings?.[0]).toContain('rolls back cassandra 4.1.3 -> 3.11.16 while that rollout is unfinished');
    expect(validation.warnings?.[0]).toContain('pods already on 4.1.3 may hold data files 3.11.16 cannot read');
    expectSameVerdict(request);
  });

  test('a rollback after the rollout finished is judged like any downgrade (major-downgrade)', () => {
    const { a, b } = revisions();
    b.status = FINISHED;
    b.metadata = { ...b.metadata, generation: 2 };
    const undo = structuredClone(b);
    delete undo.status;
    undo.spec!.template = structuredClone(templateOf(a));
    const verdict = expectSameVerdict(workloadUpdate(b, undo));
    expect(verdict.allowed).toBe(false);
    expect(verdict.rules).toEqual(['major-downgrade']);
  });

  test('a downgrade that keeps migrate-from-image (injection off) is denied with the fix', () => {
    const { b } = revisions();
    const down = structuredClone(b);
    // A patch downgrade: a minor one is itself an unsupported downgrade (upgrade-path table).
    mainOf(templateOf(down)).image = 'cassandra:4.1.2';
    const verdict = expectSameVerdict(workloadUpdate(b, down));
    expect(verdict.allowed).toBe(false);
    expect(verdict.rules).toEqual(['migrate-from-on-downgrade']);
    expect(verdict.status?.message).toContain('pre-migration only runs an older version before a newer one');
  });

  test('a pod whose migrate-from-image is newer than its image gets no init container, and is not denied for lacking one', () => {
    const request = podCreate((pod) => {
      pod.spec!.containers[0]!.image = 'cassandra:3.11.16';
    }, { [ANNOTATION_MIGRATE_FROM]: 'cassandra:4.1.3' });
    const { mutation, object, validation } = admit(request);
    expect(premigrateOf(object as Pod)).toBeUndefined();
    expect(mutation.warnings?.join('\n')).toContain('pre-migration only runs an older version before a newer one');
    expect(validation.allowed).toBe(true);
    expect(validation.rules).toEqual(['premigration-skipped']);
  });
});

describe('case 2: the marker lives with the data', () => {
  const withData = (volume: Record<string, unknown>, mountPath = '/var/lib/cassandra') =>
    podCreate((pod) => {
      pod.spec!.volumes = [{ name: 'data', ...volume }];
      pod.spec!.containers[0]!.volumeMounts = [{ name: 'data', mountPath }];
    });

  test('a PVC below the data dir: injected, and GOSSIP_SAFE_MARKER_DIR is that mount path', () => {
    const { object } = admit(withData({ persistentVolumeClaim: { claimName: 'data-cassandra-0' } }, '/var/lib/cassandra/data'));
    const init = premigrateOf(object as Pod);
    expect(init?.env?.find((e) => e.name === ENV_MARKER_DIR)?.value).toBe('/var/lib/cassandra/data');
  });

  test('hostPath counts as persistent (the data and the marker stay on the node together)', () => {
    const { object } = admit(withData({ hostPath: { path: '/mnt/disks/cassandra' } }));
    expect(premigrateOf(object as Pod)?.env?.find((e) => e.name === ENV_MARKER_DIR)?.value).toBe('/var/lib/cassandra');
  });

  test.each([
    ['emptyDir', { emptyDir: {} }],
    ['a generic ephemeral volume', { ephemeral: { volumeClaimTemplate: { spec: {} } } }],
  ])('%s: nothing injected, a warning, and the pod is not denied', (_name, volume) => {
    const request = withData(volume);
    const { mutation, object, validation } = admit(request);
    expect(premigrateOf(object as Pod)).toBeUndefined();
    expect(mutation.warnings?.join('\n')).toContain('no persistent volume (PVC, volumeClaimTemplate or hostPath)');
    expect(validation.allowed).toBe(true);
    expect(validation.rules).toEqual(['premigration-skipped']);
    expectSameVerdict({ ...request, object });
  });

  test('a Deployment upgrade with data on emptyDir is not asked for a migration step it would not get', () => {
    const old = structuredClone(upgrade.oldObject) as Workload;
    const now = structuredClone(upgrade.object) as Workload;
    for (const w of [old, now]) {
      w.kind = 'Deployment';
      templateOf(w).spec!.volumes = [{ name: 'data', emptyDir: {} }];
    }
    const request = { ...workloadUpdate(old, now), kind: { group: 'apps', version: 'v1', kind: 'Deployment' } };
    const verdict = expectSameVerdict(request);
    expect(verdict.allowed).toBe(true);
    expect(verdict.rules).toEqual(['premigration-skipped']);
  });
});

describe('case 4: config for the old version', () => {
  const configured = (volume: string) =>
    podCreate((pod) => {
      pod.spec!.volumes = [...(pod.spec!.volumes ?? []), { name: 'config-4', emptyDir: {} }, { name: 'config-3', configMap: { name: 'cassandra-3-11-config' } }];
      pod.spec!.containers[0]!.volumeMounts = [...(pod.spec!.containers[0]!.volumeMounts ?? []), { name: 'config-4', mountPath: '/etc/cassandra' }];
    }, { [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16', [ANNOTATION_PREMIGRATE_CONFIG_VOLUME]: volume });

  test('the named volume replaces the main container\'s config mount in gossip-premigrate only', () => {
    const { object, validation } = admit(configured('config-3'));
    const pod = object as Pod;
    const init = premigrateOf(pod)!;
    expect(init.volumeMounts?.filter((m) => m.mountPath === '/etc/cassandra')).toEqual([{ name: 'config-3', mountPath: '/etc/cassandra' }]);
    expect(init.volumeMounts?.map((m) => m.mountPath)).toContain('/var/lib/cassandra');
    expect(pod.spec!.containers[0]!.volumeMounts?.find((m) => m.mountPath === '/etc/cassandra')?.name).toBe('config-4');
    expect(validation.allowed).toBe(true);
  });

  test('an unknown volume: a warning from the mutating webhook, a clear denial from the validating one, the same from check', () => {
    const request = configured('config-311');
    const { mutation, object } = admit(request);
    expect(mutation.warnings?.join('\n')).toContain(
      'gossip-safe.io/premigrate-config-volume="config-311" names no volume of the pod (volumes: data, kube-api-access-4qhd7, config-4, config-3); gossip-premigrate uses the main container\'s config',
    );
    expect(premigrateOf(object as Pod)?.volumeMounts?.find((m) => m.mountPath === '/etc/cassandra')?.name).toBe('config-4');
    const verdict = expectSameVerdict({ ...request, object });
    expect(verdict.allowed).toBe(false);
    expect(verdict.rules).toEqual(['premigrate-config-volume-unknown']);
  });
});

describe('case 5: a stable broadcast address needs no pre-migration', () => {
  test('scylla-operator (member Service ClusterIP): no init container, a warning saying why', () => {
    const request = podCreate((pod) => {
      const main = pod.spec!.containers[0]!;
      main.image = 'scylladb/scylla:6.2.0';
      main.command = ['/usr/bin/bash', '-euEo', 'pipefail', '-O', 'inherit_errexit', '-c'];
      main.args = ['exec /mnt/shared/scylla-operator sidecar \\\n--nodes-broadcast-address-type=ServiceClusterIP \\\n--service-name=$(SERVICE_NAME) -- "$@"\n', '--', '--developer-mode=0'];
      main.volumeMounts = [{ name: 'data', mountPath: '/var/lib/scylla' }];
    }, { [ANNOTATION_MIGRATE_FROM]: 'scylladb/scylla:6.1.2' });
    const { mutation, object, validation } = admit(request);
    expect(premigrateOf(object as Pod)).toBeUndefined();
    expect(mutation.warnings?.join('\n')).toContain('--nodes-broadcast-address-type=ServiceClusterIP, scylla-operator');
    expect(validation.rules).toEqual(['premigration-skipped']);
  });

  test('the version rule does not demand a step it will not get: a ScyllaDB upgrade with --broadcast-address 10.96.0.12', () => {
    const old = structuredClone(upgrade.oldObject) as Workload;
    const now = structuredClone(upgrade.object) as Workload;
    for (const [w, image] of [[old, 'scylladb/scylla:5.2.9'], [now, 'scylladb/scylla:5.4.1']] as const) {
      const main = mainOf(templateOf(w));
      main.image = image;
      main.args = ['--broadcast-address', '10.96.0.12'];
      main.volumeMounts = [{ name: 'data', mountPath: '/var/lib/scylla' }];
    }
    const verdict = expectSameVerdict(workloadUpdate(old, now));
    expect(verdict.allowed).toBe(true);
    expect(verdict.rules).toEqual(['premigration-skipped']);
  });

  test('CASSANDRA_BROADCAST_ADDRESS=$(POD_IP) is the pod IP: injected as usual', () => {
    const { object } = admit(podCreate((pod) => {
      pod.spec!.containers[0]!.env = [...(pod.spec!.containers[0]!.env ?? []), { name: 'CASSANDRA_BROADCAST_ADDRESS', value: '$(POD_IP)' }];
    }));
    expect(premigrateOf(object as Pod)?.image).toBe('cassandra:3.11.16');
  });
});

describe('case 6: only images the script can start', () => {
  test('k8ssandra management API: no init container, warned by both webhooks, not denied for lacking one', () => {
    const request = podCreate((pod) => {
      pod.spec!.containers[0]!.image = 'k8ssandra/cass-management-api:4.1.3';
    }, { [ANNOTATION_MIGRATE_FROM]: 'k8ssandra/cass-management-api:3.11.16' });
    const { mutation, object, validation } = admit(request);
    expect(premigrateOf(object as Pod)).toBeUndefined();
    expect(mutation.warnings?.join('\n')).toContain('renders its config only in its mgmtapi mode');
    expect(validation.allowed).toBe(true);
    expect(validation.warnings?.join('\n')).toContain('renders its config only in its mgmtapi mode');
    expectSameVerdict({ ...request, object });
  });

  test('Bitnami and the official image: injected', () => {
    for (const [from, to] of [['bitnami/cassandra:3.11.16', 'bitnami/cassandra:4.1.3'], ['cassandra:3.11.16', 'cassandra:4.1.3']] as const) {
      const { object } = admit(podCreate((pod) => {
        pod.spec!.containers[0]!.image = to;
      }, { [ANNOTATION_MIGRATE_FROM]: from }));
      expect(premigrateOf(object as Pod)?.image).toBe(from);
    }
  });
});

describe('case 8: service meshes', () => {
  const istioInit: Container = { name: 'istio-init', image: 'docker.io/istio/proxyv2:1.24.0', args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*'] };
  const istioProxy: Container = { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.0', args: ['proxy', 'sidecar'] };

  test('classic Istio already injected: nothing injected, and the warning names both fixes', () => {
    const request = podCreate((pod) => {
      pod.spec!.initContainers = [istioInit];
      pod.spec!.containers.push(istioProxy);
    });
    const { mutation, object, validation } = admit(request);
    expect(premigrateOf(object as Pod)).toBeUndefined();
    const text = mutation.warnings?.join('\n') ?? '';
    expect(text).toContain('init container "istio-init" redirects the pod\'s traffic to an Istio proxy');
    expect(text).toContain('run the mesh\'s proxy as a native sidecar, or set traffic.sidecar.istio.io/excludeInboundPorts and traffic.sidecar.istio.io/excludeOutboundPorts to include 7000,7001,7199');
    expect(validation.allowed).toBe(true);
  });

  test('classic Istio with the gossip and JMX ports excluded: injected', () => {
    const { object } = admit(podCreate((pod) => {
      pod.spec!.initContainers = [istioInit];
      pod.spec!.containers.push(istioProxy);
    }, {
      [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16',
      'traffic.sidecar.istio.io/excludeInboundPorts': '7000-7001,7199',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '7000,7001,7199,9042',
    }));
    expect(premigrateOf(object as Pod)?.image).toBe('cassandra:3.11.16');
  });

  test('a pod opted in to Istio before the injector ran: exclusions added, merged with the user\'s', () => {
    const { mutation, object } = admit(podCreate((pod) => {
      pod.metadata!.labels = { ...pod.metadata!.labels, 'sidecar.istio.io/inject': 'true' };
    }, { [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16', 'traffic.sidecar.istio.io/excludeInboundPorts': '15020, 7000' }));
    const pod = object as Pod;
    expect(premigrateOf(pod)?.image).toBe('cassandra:3.11.16');
    expect(pod.metadata?.annotations?.['traffic.sidecar.istio.io/excludeInboundPorts']).toBe('15020,7000,7001,7199');
    expect(pod.metadata?.annotations?.['traffic.sidecar.istio.io/excludeOutboundPorts']).toBe('7000,7001,7199');
    expect(mutation.warnings?.join('\n')).toContain('exclude the gossip and JMX ports');
  });

  // Issue 23, finding 2: every port of every range was enumerated into a Set, so a 44 KB
  // excludeInboundPorts cost seconds per review. Ranges are now compared as bounds, and at most
  // MAX_PORT_LIST_PARTS parts are read. (Before the fix these reviews did not finish within the
  // test's timeout.)
  test('a port-list bomb (100,000 full ranges) is decided from its first parts, without enumerating ports', () => {
    const bomb = '1-65535,'.repeat(100_000);
    const { object } = admit(podCreate((pod) => {
      pod.spec!.initContainers = [istioInit];
      pod.spec!.containers.push(istioProxy);
    }, {
      [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16',
      'traffic.sidecar.istio.io/excludeInboundPorts': bomb,
      'traffic.sidecar.istio.io/excludeOutboundPorts': bomb,
    }));
    // The first part already covers every port, so the mesh does not block pre-migration.
    expect(premigrateOf(object as Pod)).toBeDefined();
  }, 20_000);

  test('a port list longer than MAX_PORT_LIST_PARTS is read up to the cap; ports past it count as not excluded', () => {
    const filler = Array.from({ length: MAX_PORT_LIST_PARTS }, (_, i) => String(20_000 + i)).join(',');
    const list = parsePortList(`${filler},7000-7001,7199`);
    expect(list.complete).toBe(false);
    expect(list.ranges).toHaveLength(MAX_PORT_LIST_PARTS);
    expect(parsePortList(' 7000-7001 , 7199,, x, 70000, 9-3').ranges).toEqual([[7000, 7001], [7199, 7199]]);
    const { object } = admit(podCreate((pod) => {
      pod.metadata!.labels = { ...pod.metadata!.labels, 'sidecar.istio.io/inject': 'true' };
    }, { [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16', 'traffic.sidecar.istio.io/excludeInboundPorts': `${filler},7000-7001,7199, ,` }));
    // Kept as written (its end trimmed), the profile's ports appended: the mesh reads them all.
    expect((object as Pod).metadata?.annotations?.['traffic.sidecar.istio.io/excludeInboundPorts']).toBe(`${filler},7000-7001,7199,7000,7001,7199`);
  });

  test('native sidecars: injected, and gossip-premigrate goes after them, also when one is added after it', () => {
    const native: Container = { ...istioProxy, restartPolicy: 'Always' };
    const { object } = admit(podCreate((pod) => {
      pod.spec!.initContainers = [istioInit, native];
    }));
    const names = (object as Pod).spec!.initContainers!.map((c) => c.name);
    expect(names).toEqual(['istio-init', 'istio-proxy', PREMIGRATE_CONTAINER]);
    // A later webhook appends a native sidecar; gossip-safe's reinvocation moves its container after it.
    const later = structuredClone(object) as Pod;
    later.spec!.initContainers!.push({ name: 'vault-agent', image: 'hashicorp/vault:1.18.0', restartPolicy: 'Always' });
    const again = mutatePod(later, ctx);
    expect(again.object.spec!.initContainers!.map((c) => c.name)).toEqual(['istio-init', 'istio-proxy', 'vault-agent', PREMIGRATE_CONTAINER]);
    expect(mutatePod(again.object, ctx).patch).toEqual([]);
  });
});

describe('bad annotation values over HTTPS: a warning or a clear denial, never a 500', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startTestWebhook();
  });
  afterAll(async () => {
    await webhook.stop();
  });

  test.each([
    ['a malformed migrate-from-image', { [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16 please' }, 'is not an image reference'],
    ['a word where an image belongs', { [ANNOTATION_MIGRATE_FROM]: '!!!' }, 'is not an image reference'],
    ['an unknown config volume', { [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16', [ANNOTATION_PREMIGRATE_CONFIG_VOLUME]: 'nope' }, 'names no volume of the pod'],
  ])('%s', async (_name, annotations, text) => {
    const request = podCreate(() => {}, annotations);
    const mutated = await sendReview(webhook, '/mutate', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } as { request: { uid: string } });
    expect(mutated.response.allowed).toBe(true);
    expect(mutated.response.warnings?.join('\n')).toContain(text);
    const enforce: AdmissionReviewResponse = await sendReview(webhook, '/validate/enforce', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } as { request: { uid: string } });
    expect(enforce.response.status?.code ?? 200).not.toBe(500);
    expect([enforce.response.status?.message ?? '', ...(enforce.response.warnings ?? [])].join('\n')).toContain(text);
  });
});
