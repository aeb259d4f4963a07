import * as k8s from '@kubernetes/client-node';
import { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Pod, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Certificate, Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { K8sObject } from './kustomize.js';

/**
 * Two independent checks of a rendered object against the Kubernetes API schema, standing in
 * for `kubectl apply --dry-run=server --validate=strict` (no cluster here):
 * - kubernetes-models: the OpenAPI JSON schema (types, enums, required fields);
 * - @kubernetes/client-node's model type maps: every field must be one the API knows, which
 *   catches the typo'd or misplaced field that the apiserver would drop or reject.
 */
type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Pod': Pod,
  // CRDs of the chart's options (schema from the CRDs' OpenAPI; client-node has no models for them).
  'cert-manager.io/v1/Issuer': Issuer,
  'cert-manager.io/v1/Certificate': Certificate,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/CronJob': CronJob,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': ValidatingWebhookConfiguration,
};

export function hasSchema(o: K8sObject): boolean {
  return `${o.apiVersion}/${o.kind}` in MODELS;
}

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}
type ModelClass = { getAttributeTypeMap(): Attribute[] };
const models = k8s as unknown as Record<string, ModelClass | undefined>;

function checkFields(value: unknown, type: string, path: string, errors: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null) {
    if (!Array.isArray(value)) return void errors.push(`${path}: expected a list`);
    value.forEach((item, i) => checkFields(item, array[1] ?? '', `${path}[${i}]`, errors));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    if (typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${path}: expected a mapping`);
    for (const [k, v] of Object.entries(value)) checkFields(v, map[1] ?? '', `${path}.${k}`, errors);
    return;
  }
  if (type === 'string' || type === 'number' || type === 'boolean') {
    if (typeof value !== type) errors.push(`${path}: expected a ${type}, got ${JSON.stringify(value)}`);
    return;
  }
  const model = models[type];
  if (model === undefined || typeof model.getAttributeTypeMap !== 'function') return; // IntOrString, Quantity, any
  if (typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${path}: expected an object (${type})`);
  const attributes = model.getAttributeTypeMap();
  for (const [key, v] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    if (attribute === undefined) errors.push(`${path}.${key}: unknown field in ${type}`);
    else checkFields(v, attribute.type, `${path}.${key}`, errors);
  }
}

/** Schema problems of one object, as `Kind/name path: problem` lines; empty when valid. */
export function schemaErrors(o: K8sObject): string[] {
  const id = `${o.kind}/${o.metadata?.name ?? '?'}`;
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (Model === undefined) return [`${id}: no schema for ${o.apiVersion} ${o.kind}`];
  const errors: string[] = [];
  try {
    new Model(o as never).validate();
  } catch (err) {
    errors.push(`${id}: ${(err as Error).message}`);
  }
  const version = o.apiVersion.split('/').pop() ?? '';
  const fieldErrors: string[] = [];
  checkFields(o, `${version.charAt(0).toUpperCase()}${version.slice(1)}${o.kind}`, '', fieldErrors);
  return [...errors, ...fieldErrors.map((e) => `${id} ${e}`)];
}
