/**
 * The slice of the Kubernetes object model gossip-safe reads and writes.
 *
 * Objects arrive as plain JSON from the apiserver or from manifests. Every interface keeps an
 * index signature so that fields we do not model survive a clone-mutate-diff round trip.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ObjectMeta {
  name?: string | null;
  generateName?: string | null;
  namespace?: string | null;
  uid?: string;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  managedFields?: unknown[] | null;
  [key: string]: unknown;
}

export interface ObjectFieldSelector {
  fieldPath: string;
  apiVersion?: string;
}

export interface EnvVar {
  name: string;
  value?: string | null;
  valueFrom?: {
    fieldRef?: ObjectFieldSelector | null;
    [key: string]: unknown;
  };
}

export interface ExecAction {
  command?: string[] | null;
}

export interface LifecycleHandler {
  exec?: ExecAction | null;
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; [key: string]: unknown };
  sleep?: { seconds: number };
  tcpSocket?: unknown;
}

export interface Lifecycle {
  preStop?: LifecycleHandler | null;
  postStart?: LifecycleHandler | null;
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
  image?: string | null;
  command?: string[] | null;
  args?: string[] | null;
  env?: EnvVar[] | null;
  envFrom?: unknown[] | null;
  volumeMounts?: VolumeMount[] | null;
  resources?: Record<string, unknown>;
  securityContext?: Record<string, unknown>;
  lifecycle?: Lifecycle | null;
  [key: string]: unknown;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean } | null;
  emptyDir?: Record<string, unknown>;
  ephemeral?: unknown;
  [key: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[] | null;
  volumes?: Volume[] | null;
  terminationGracePeriodSeconds?: number | null;
  [key: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta | null;
  spec?: PodSpec | null;
  status?: unknown;
  [key: string]: unknown;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta | null;
  spec?: PodSpec | null;
}

export interface PersistentVolumeClaimTemplate {
  metadata?: ObjectMeta | null;
  [key: string]: unknown;
}

export interface WorkloadSpec {
  replicas?: number | null;
  template?: PodTemplateSpec | null;
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[] | null;
  [key: string]: unknown;
}

export interface WorkloadStatus {
  replicas?: number | null;
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
  metadata?: ObjectMeta | null;
  spec?: WorkloadSpec | null;
  status?: WorkloadStatus | null;
  [key: string]: unknown;
}

export const WORKLOAD_KINDS = ['StatefulSet', 'Deployment', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkloadKind(kind: string | undefined): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind ?? '');
}

/** An admission request's operation (admission.k8s.io/v1 AdmissionRequest.operation). */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
