import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import type { K8sObject } from '../../src/offline/manifests.js';
import { checkPair, type CheckedObject } from '../../src/offline/check-pair.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { createEndpoints } from '../../src/webhook/endpoints.js';
import { admissionReview } from '../cli/manifests.js';
import { sendReview, type TestWebhook } from './webhook-server.js';

/**
 * One workload UPDATE judged twice: by the validating webhook over HTTPS (enforce) and by
 * `gossip-safe check`'s own evaluation (checkPair, the CLI's core), so a test can require the
 * same verdict from both.
 */
export interface BothVerdicts {
  readonly webhook: AdmissionReviewResponse['response'];
  readonly check: CheckedObject;
}

const profiles = createProfileSet(BUILTIN_PROFILES);
const endpoints = createEndpoints({ profiles });

/** A StatefulSet of one datastore container with its data on a claim template. */
export function datastoreStatefulSet(image: string, dataPath = '/var/lib/data', annotations: Record<string, string> = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'data', annotations },
    spec: {
      serviceName: 'db',
      replicas: 3,
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          terminationGracePeriodSeconds: 900,
          containers: [{ name: 'db', image, volumeMounts: [{ name: 'data', mountPath: dataPath }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
    status: { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentRevision: 'db-1', updateRevision: 'db-1', observedGeneration: 1 },
  };
}

export async function judgeBoth(webhook: TestWebhook, oldObject: K8sObject, object: K8sObject): Promise<BothVerdicts> {
  const review = admissionReview({ operation: 'UPDATE', group: 'apps', kind: 'StatefulSet', resource: 'statefulsets', name: 'db', namespace: 'data', object, oldObject });
  const body = await sendReview(webhook, '/validate/enforce', review);
  const check = checkPair(
    { head: { source: 'db.yaml', line: 1, path: [], object }, base: { source: 'db.yaml', line: 1, path: [], object: oldObject } },
    { mode: 'enforce', assumeInjection: false, defaultNamespace: 'data', profiles, endpoints },
  );
  return { webhook: body.response, check };
}

/** The webhook and check agree: allowed, denial message and warnings. */
export function expectSameVerdict(v: BothVerdicts): void {
  expect(v.check.allowed).toBe(v.webhook.allowed);
  expect(v.check.message).toBe(v.webhook.allowed ? undefined : v.webhook.status?.message);
  expect([...v.check.warnings]).toEqual(v.webhook.warnings ?? []);
}
