/**
 * The slice of the Kubernetes object model gossip-safe reads and writes.
 *
 * Objects arrive as plain JSON from the apiserver or from manifests. Every interface keeps an
 * index signature so that fields we do not model survive a clone-mutate-diff round trip.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface ObjectFieldSelector {
  fieldPath: string;
  apiVersion?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: ObjectFieldSelector;
    [key: string]: unknown;
  };
}

export interface ExecAction {
  command?: string[];
}

export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; [key: string]: unknown };
  sleep?: { seconds: number };
  tcpSocket?: unknown;
}

export interface Lifecycle {
  preStop?: LifecycleHandler;
  postStart?: LifecycleHandler;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  [key: string]: unknown;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: unknown[];
  volumeMounts?: VolumeMount[];
  resources?: Record<string, unknown>;
  securityContext?: Record<string, unknown>;
  lifecycle?: Lifecycle;
  [key: string]: unknown;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  emptyDir?: Record<string, unknown>;
  ephemeral?: unknown;
  [key: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  terminationGracePeriodSeconds?: number;
  [key: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: unknown;
  [key: string]: unknown;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

export interface PersistentVolumeClaimTemplate {
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface WorkloadSpec {
  replicas?: number;
  template?: PodTemplateSpec;
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
  [key: string]: unknown;
}

export interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  currentReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  observedGeneration?: number;
  [key: string]: unknown;
}

/** StatefulSet, Deployment or DaemonSet (apps/v1). */
export interface Workload {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: WorkloadSpec;
  status?: WorkloadStatus;
  [key: string]: unknown;
}

export const WORKLOAD_KINDS = ['StatefulSet', 'Deployment', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkloadKind(kind: string | undefined): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind ?? '');
}
