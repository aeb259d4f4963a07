import type { Container, Pod, Workload } from '../src/k8s/types.js';
import { mutatePod } from '../src/mutate/pod.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { RULES, validateObject, type ValidationInput } from '../src/validate/index.js';
import { loadReview } from './helpers/fixtures.js';

const ctx = { profiles: createProfileSet(BUILTIN_PROFILES) };
const recorded = loadReview('statefulset-update-cassandra-3.11-to-4.1.json').request;

type Edit = (old: Workload, now: Workload) => void;

function datastore(w: Workload): Container {
  return w.spec!.template!.spec!.containers[0]!;
}
function templateAnnotations(w: Workload): Record<string, string> {
  const meta = (w.spec!.template!.metadata ??= {});
  return (meta.annotations ??= {});
}
/** A clean, finished rollout: status as after the 3.11 rollout completed. */
function update(kind: string, oldImage: string, newImage: string, edit: Edit = () => {}): ValidationInput {
  const old = structuredClone(recorded.oldObject) as Workload;
  const now = structuredClone(recorded.object) as Workload;
  old.kind = now.kind = kind;
  datastore(old).image = oldImage;
  datastore(now).image = newImage;
  for (const w of [old, now]) {
    // The data on a persistent volume, as in the recording: a claim template only counts for a
    // StatefulSet, so other kinds get the PVC as a pod volume; ScyllaDB's data dir is its own.
    if (kind !== 'StatefulSet') w.spec!.template!.spec!.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'cassandra-data' } }];
    if (datastore(w).image?.includes('scylla')) datastore(w).volumeMounts = [{ name: 'data', mountPath: '/var/lib/scylla' }];
  }
  edit(old, now);
  return { operation: 'UPDATE', kind, namespace: 'cassandra-prod', name: 'cassandra', object: now, oldObject: old };
}
const sts = (oldImage: string, newImage: string, edit?: Edit) => update('StatefulSet', oldImage, newImage, edit);
const rules = (input: ValidationInput) => validateObject(input, ctx).map((v) => v.rule);

const annotate = (image: string): Edit => (_old, now) => {
  templateAnnotations(now)['gossip-safe.io/migrate-from-image'] = image;
};
const initContainer = (image: string): Edit => (_old, now) => {
  now.spec!.template!.spec!.initContainers = [{ name: 'gossip-premigrate', image }];
};

describe('workload UPDATE version rules', () => {
  test.each<[string, ValidationInput, string[]]>([
    ['same image', sts('cassandra:4.1.3', 'cassandra:4.1.3'), []],
    ['same version, new flavour and registry', sts('cassandra:4.1.3', 'mirror.example:5000/cassandra:4.1.3-jammy'), []],
    ['major upgrade without migration', sts('cassandra:3.11.16', 'cassandra:4.1.3'), ['version-change-without-migration']],
    ['major upgrade with migrate-from-image', sts('cassandra:3.11.16', 'cassandra:4.1.3', annotate('cassandra:3.11.16')), []],
    ['migrate-from-image on a mirror, same version', sts('cassandra:3.11.16', 'cassandra:4.1.3', annotate('mirror.example/cassandra:3.11.16-jammy')), []],
    ['stale migrate-from-image', sts('cassandra:3.11.16', 'cassandra:4.1.3', annotate('cassandra:3.0.29')), ['version-change-without-migration']],
    ['explicit init container with the old image', sts('cassandra:3.11.16', 'cassandra:4.1.3', initContainer('cassandra:3.11.16')), []],
    ['explicit init container with the wrong image', sts('cassandra:3.11.16', 'cassandra:4.1.3', initContainer('cassandra:4.1.3')), ['version-change-without-migration']],
    ['patch release', sts('cassandra:4.1.3', 'cassandra:4.1.5'), []],
    ['patch release with a stale annotation', sts('cassandra:4.1.3', 'cassandra:4.1.5', annotate('cassandra:3.11.16')), ['version-change-without-migration']],
    ['minor upgrade (cassandra migrates on major)', sts('cassandra:4.0.11', 'cassandra:4.1.3'), []],
    ['minor upgrade (scylla migrates on minor)', sts('scylladb/scylla:5.2.9', 'scylladb/scylla:5.4.1'), ['version-change-without-migration']],
    // A downgrade never needs (or gets) migrate-from-image (issue 11 item 1).
    ['major downgrade', sts('cassandra:4.1.3', 'cassandra:3.11.16'), ['major-downgrade']],
    ['major downgrade, allowed on the template', sts('cassandra:4.1.3', 'cassandra:3.11.16', (_o, n) => {
      templateAnnotations(n)['gossip-safe.io/allow-downgrade'] = 'true';
    }), ['risky-version-change']],
    ['allowed downgrade that asks to pre-migrate from the newer version', sts('cassandra:4.1.3', 'cassandra:3.11.16', (o, n) => {
      annotate('cassandra:4.1.3')(o, n);
      templateAnnotations(n)['gossip-safe.io/allow-downgrade'] = 'true';
    }), ['migrate-from-on-downgrade', 'risky-version-change']],
    ['allow-downgrade must be exactly "true"', sts('cassandra:4.1.3', 'cassandra:3.11.16', (_o, n) => {
      templateAnnotations(n)['gossip-safe.io/allow-downgrade'] = 'yes';
    }), ['major-downgrade']],
    ['minor downgrade is denied by the upgrade-path table', sts('cassandra:4.1.3', 'cassandra:4.0.11'), ['unsupported-downgrade']],
    ['patch downgrade is not denied', sts('cassandra:4.1.3', 'cassandra:4.1.2'), []],
    ['skipped major: the table denies it (skipped-major says the same, suppressed)', sts('cassandra:3.11.16', 'cassandra:5.0.2', annotate('cassandra:3.11.16')), ['unsupported-upgrade']],
    ['adjacent majors are on the path', sts('cassandra:4.1.3', 'cassandra:5.0.2', annotate('cassandra:4.1.3')), []],
    ['tag to digest, same repository', sts('cassandra:4.1.3', 'cassandra@sha256:0123abcd'), ['unknown-version-change']],
    ['digest bump with migration step', sts('cassandra@sha256:aaaa', 'cassandra@sha256:bbbb', annotate('cassandra@sha256:aaaa')), []],
    ['untagged to tagged', sts('cassandra', 'cassandra:4.1.3'), ['unknown-version-change']],
    ['another repository, version unreadable', sts('cassandra:4.1.3', 'registry.example/mycorp/cass:latest'), ['repository-change-without-migration']],
    ['container renamed in the same update', sts('cassandra:3.11.16', 'cassandra:4.1.3', (_o, n) => {
      datastore(n).name = 'db';
    }), ['version-change-without-migration']],
    ['a second, non-datastore container changes', sts('cassandra:4.1.3', 'cassandra:4.1.3', (o, n) => {
      o.spec!.template!.spec!.containers.push({ name: 'exporter', image: 'exporter:1.0' });
      n.spec!.template!.spec!.containers.push({ name: 'exporter', image: 'exporter:2.0' });
    }), []],
    ['serf: not applicable', sts('hashicorp/serf:0.10.1', 'hashicorp/serf:0.10.2'), []],
    ['consul major from 1.21: optional, never denied', sts('hashicorp/consul:1.21.7', 'hashicorp/consul:2.0.0'), []],
    ['consul 2.0 from before 1.21: the upgrade-path table denies it', sts('hashicorp/consul:1.17.1', 'hashicorp/consul:2.0.0'), ['unsupported-upgrade']],
    ['etcd: not applicable', sts('quay.io/coreos/etcd:v3.4.27', 'quay.io/coreos/etcd:v3.5.9'), []],
  ])('%s', (_name, input, expected) => {
    expect(rules(input)).toEqual(expected);
  });

  test('the stale-annotation message names the annotation and the right image', () => {
    const [v] = validateObject(sts('cassandra:3.11.16', 'cassandra:4.1.3', annotate('cassandra:3.0.29')), ctx);
    expect(v?.message).toBe(
      'statefulset cassandra-prod/cassandra: container "cassandra" changes cassandra 3.11.16 -> 4.1.3 but gossip-safe.io/migrate-from-image is "cassandra:3.0.29", ' +
        'not the old image; set spec.template.metadata.annotations["gossip-safe.io/migrate-from-image"]="cassandra:3.11.16"',
    );
  });
});

describe('rollout in progress', () => {
  const statusEdit = (status: Record<string, unknown>, generation?: number): Edit => (old, now) => {
    annotate('cassandra:3.11.16')(old, now);
    old.status = status;
    if (generation !== undefined) old.metadata = { ...old.metadata, generation };
  };
  test.each<[string, string, Record<string, unknown>, number | undefined, boolean]>([
    ['StatefulSet revisions differ', 'StatefulSet', { replicas: 3, updatedReplicas: 3, currentRevision: 'a', updateRevision: 'b' }, undefined, true],
    ['StatefulSet pods not updated (absent counter is 0)', 'StatefulSet', { replicas: 3, currentRevision: 'a', updateRevision: 'a' }, undefined, true],
    ['StatefulSet done', 'StatefulSet', { replicas: 3, updatedReplicas: 3, currentRevision: 'a', updateRevision: 'a', observedGeneration: 2 }, 2, false],
    ['StatefulSet generation not observed', 'StatefulSet', { replicas: 3, updatedReplicas: 3, currentRevision: 'a', updateRevision: 'a', observedGeneration: 1 }, 2, true],
    ['Deployment pods not updated', 'Deployment', { replicas: 4, updatedReplicas: 2, observedGeneration: 3 }, 3, true],
    ['Deployment generation not observed', 'Deployment', { replicas: 4, updatedReplicas: 4, observedGeneration: 2 }, 3, true],
    ['Deployment done', 'Deployment', { replicas: 4, updatedReplicas: 4, observedGeneration: 3 }, 3, false],
    ['DaemonSet nodes not updated', 'DaemonSet', { desiredNumberScheduled: 5, updatedNumberScheduled: 4 }, undefined, true],
    ['DaemonSet done', 'DaemonSet', { desiredNumberScheduled: 5, updatedNumberScheduled: 5 }, undefined, false],
    ['no status at all (offline manifests)', 'StatefulSet', {}, undefined, false],
  ])('%s', (_name, kind, status, generation, denied) => {
    const input = update(kind, 'cassandra:3.11.16', 'cassandra:4.1.3', statusEdit(status, generation));
    expect(rules(input)).toEqual(denied ? ['rollout-in-progress'] : []);
  });

  test('an unfinished rollout never blocks an update that keeps the version', () => {
    const input = sts('cassandra:4.1.3', 'cassandra:4.1.3', (old) => {
      old.status = { replicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' };
    });
    expect(rules(input)).toEqual([]);
  });

  test('the deployment message counts pods and names the rollout commands', () => {
    const input = update('Deployment', 'cassandra:3.11.16', 'cassandra:4.1.3', statusEdit({ replicas: 4, updatedReplicas: 2, observedGeneration: 3 }, 3));
    expect(validateObject(input, ctx)[0]?.message).toBe(
      'deployment cassandra-prod/cassandra: previous rollout still in progress (2/4 pods updated); finish it (kubectl rollout status deployment/cassandra -n cassandra-prod) ' +
        'before changing cassandra 3.11.16 -> 4.1.3',
    );
  });
});

describe('template warnings', () => {
  const create = loadReview('statefulset-create-cassandra.json').request;
  const createInput: ValidationInput = { operation: 'CREATE', kind: 'StatefulSet', namespace: 'cassandra-prod', object: create.object };

  test('workload CREATE gets every warning rule that applies, never a denial', () => {
    const violations = validateObject(createInput, ctx);
    expect(violations.map((v) => [v.rule, v.severity])).toEqual([
      ['rollout-parallel-pods', 'warn'],
      ['no-leave-hook', 'warn'],
      ['grace-below-minimum', 'warn'],
    ]);
    expect(violations.map((v) => v.message)).toEqual([
      // The recorded StatefulSet really uses Parallel (issue 24, rollout shape).
      'statefulset cassandra-prod/cassandra: podManagementPolicy Parallel; cassandra nodes join one at a time: use OrderedReady',
      'statefulset cassandra-prod/cassandra: container "cassandra" has no preStop leave hook; add exec: nodetool drain',
      'statefulset cassandra-prod/cassandra: terminationGracePeriodSeconds 30 is below the cassandra minimum; set it to 120',
    ]);
  });

  test('an UPDATE warns only about what it introduces', () => {
    expect(rules(sts('cassandra:4.1.3', 'cassandra:4.1.3'))).toEqual([]);
    const removesHook = sts('cassandra:4.1.3', 'cassandra:4.1.3', (old) => {
      datastore(old).lifecycle = { preStop: { exec: { command: ['nodetool', 'drain'] } } };
    });
    expect(rules(removesHook)).toEqual(['no-leave-hook']);
    expect(rules(sts('cassandra:4.1.3', 'cassandra'))).toEqual(['unknown-version-change']);
    expect(rules(sts('hashicorp/serf:0.10.1', 'hashicorp/serf'))).toEqual(['image-without-version']);
  });

  test('serf without a per-pod node name is warned; injected pods pass every rule', () => {
    const review = loadReview('pod-create-generatename-serf.json').request;
    const input = (object: unknown): ValidationInput => ({ operation: 'CREATE', kind: 'Pod', namespace: 'consul', object });
    const raw = validateObject(input(review.object), ctx);
    expect(raw.map((v) => v.rule)).toEqual(['no-per-pod-node-name', 'no-leave-hook']);
    expect(raw[0]?.message).toBe('pod consul/memberlist-app-7d5f5f85bb-*: container "serf" has no per-pod node name; add env GOSSIP_NODE_NAME=$(POD_UID)');
    expect(validateObject(input(mutatePod(review.object as Pod, ctx).object), ctx)).toEqual([]);
  });

  test.each<[string, { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[], boolean]>([
    ['$(POD_UID) after POD_UID', [{ name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }, { name: 'GOSSIP_NODE_NAME', value: '$(POD_UID)' }], true],
    ['$(POD_UID) before POD_UID does not expand', [{ name: 'GOSSIP_NODE_NAME', value: '$(POD_UID)' }, { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }], false],
    ['metadata.uid directly', [{ name: 'GOSSIP_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }], true],
    ['a fixed name', [{ name: 'GOSSIP_NODE_NAME', value: 'db-2' }], false],
  ])('node name: %s', (_name, env, ok) => {
    const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'serf', image: 'hashicorp/serf:0.10.1', env, lifecycle: { preStop: { exec: { command: ['serf', 'leave'] } } } }] } };
    expect(rules({ operation: 'CREATE', kind: 'Pod', object: pod })).toEqual(ok ? [] : ['no-per-pod-node-name']);
  });

  test('warnings stay one line and under 120 characters for the recorded objects', () => {
    for (const v of [...validateObject(createInput, ctx), ...validateObject({ operation: 'CREATE', kind: 'Pod', object: loadReview('pod-create-generatename-serf.json').request.object }, ctx)]) {
      expect(v.message).not.toMatch(/\n/);
      expect(v.message.length).toBeLessThanOrEqual(120);
    }
  });
});

describe('pods at CREATE', () => {
  const recordedPod = loadReview('pod-create-from-statefulset-new-revision-cassandra.json').request.object as Pod;
  function pod(migrateFrom: string | undefined, image = 'cassandra:4.1.3', init?: string): ValidationInput {
    const p = structuredClone(recordedPod);
    if (migrateFrom !== undefined) p.metadata = { ...p.metadata, annotations: { 'gossip-safe.io/migrate-from-image': migrateFrom } };
    p.spec!.containers[0]!.image = image;
    if (init !== undefined) p.spec!.initContainers = [{ name: init, image: 'cassandra:3.11.16' }];
    return { operation: 'CREATE', kind: 'Pod', namespace: 'cassandra-prod', object: p };
  }
  const denials = (input: ValidationInput) => validateObject(input, ctx).filter((v) => v.severity === 'deny').map((v) => v.rule);

  test.each<[string, ValidationInput, string[]]>([
    ['no annotation', pod(undefined), []],
    ['annotation without init container', pod('cassandra:3.11.16'), ['migrate-from-without-init-container']],
    ['annotation with init container', pod('cassandra:3.11.16', 'cassandra:4.1.3', 'gossip-premigrate'), []],
    ['an init container with another name does not count', pod('cassandra:3.11.16', 'cassandra:4.1.3', 'setup'), ['migrate-from-without-init-container']],
    ['annotation naming the running version (nothing to migrate)', pod('cassandra:4.1.3'), []],
    ['serf: not applicable', pod('hashicorp/serf:0.10.1', 'hashicorp/serf:0.10.2'), []],
  ])('%s', (_name, input, expected) => {
    expect(denials(input)).toEqual(expected);
  });

  test('pod UPDATE and DELETE are never checked', () => {
    const input = pod('cassandra:3.11.16');
    expect(validateObject({ ...input, operation: 'UPDATE', oldObject: input.object }, ctx)).toEqual([]);
    expect(validateObject({ ...input, operation: 'DELETE', object: undefined, oldObject: input.object }, ctx)).toEqual([]);
  });
});

describe('robustness', () => {
  test.each<[string, unknown, unknown]>([
    ['no object', undefined, undefined],
    ['containers is not a list', { spec: { template: { spec: { containers: 'cassandra' } } } }, undefined],
    ['init containers is not a list', { spec: { template: { spec: { containers: [{ name: 'c', image: 'cassandra:4.1.3' }], initContainers: 7 } } } }, undefined],
    ['image is a number', { spec: { template: { spec: { containers: [{ name: 'c', image: 4 }] } } } }, undefined],
    ['env is an object', { spec: { template: { spec: { containers: [{ name: 'c', image: 'hashicorp/serf:0.10.1', env: { a: 1 } }] } } } }, undefined],
    ['annotations is a string', { spec: { template: { metadata: { annotations: 'x' }, spec: { containers: [{ name: 'c', image: 'cassandra:4.1.3' }] } } } }, recorded.oldObject],
    ['old object without template', recorded.object, { spec: {} }],
    ['old object is a string', recorded.object, 'nope'],
  ])('%s: no violations, no throw', (_name, object, oldObject) => {
    expect(validateObject({ operation: 'UPDATE', kind: 'StatefulSet', object, oldObject }, ctx).filter((v) => v.severity === 'deny')).toEqual([]);
  });

  test('every rule id that can be produced is documented in RULES', () => {
    const produced = new Set<string>();
    const inputs = [
      sts('cassandra:3.11.16', 'cassandra:5.0.2'),
      sts('cassandra:4.1.3', 'cassandra:3.11.16'),
      sts('cassandra:4.1.3', 'cassandra@sha256:00'),
      sts('cassandra:4.1.3', 'registry.example/mycorp/cass:latest'),
    ];
    for (const input of inputs) for (const v of validateObject(input, ctx)) {
      produced.add(v.rule);
      expect(RULES[v.rule as keyof typeof RULES]?.severity).toBe(v.severity);
    }
    expect(produced.size).toBeGreaterThanOrEqual(5);
  });
});
