{{/*
Every object is named gossip-safe, as in manifests/: the certificate bootstrap (gossip-safe certs)
patches the webhook configurations and the Secret by these names, and one webhook per cluster is
the only sensible install.
*/}}
{{- define "gossip-safe.labels" -}}
app.kubernetes.io/part-of: gossip-safe
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "gossip-safe.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}:{{ $tag }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}
{{- end -}}

{{/* Namespaces no webhook is ever called for: the configured ones and our own. */}}
{{- define "gossip-safe.excludedNamespaces" -}}
{{- $list := list -}}
{{- range .Values.excludedNamespaces -}}{{- $list = append $list . -}}{{- end -}}
{{- if not (has .Release.Namespace $list) -}}{{- $list = append $list .Release.Namespace -}}{{- end -}}
{{- toJson $list -}}
{{- end -}}

{{- define "gossip-safe.matchConditions" -}}
{{- if .Values.matchConditions.enabled }}
{{- if semverCompare "<1.30.0-0" .Capabilities.KubeVersion.Version }}
{{- fail (printf "matchConditions.enabled needs Kubernetes 1.30 or later (matchConditions GA); this cluster is %s" .Capabilities.KubeVersion.Version) }}
{{- end }}
matchConditions:
  - name: gossip-safe-datastore
    expression: {{ (.Values.matchConditions.expression | default (.Files.Get "files/match-condition.cel")) | trim | toJson }}
{{- end }}
{{- end -}}

{{- define "gossip-safe.webhookAnnotations" -}}
{{- if .Values.certManager.enabled }}
annotations:
  cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/gossip-safe-serving
{{- end }}
{{- end -}}

{{- define "gossip-safe.profilesChecksum" -}}
{{- toYaml .Values.profiles | sha256sum -}}
{{- end -}}

{{- define "gossip-safe.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default "gossip-safe" -}}
{{- end -}}

{{/* The fewest replicas the Deployment can have: the HPA's minimum when it owns the count. */}}
{{- define "gossip-safe.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end -}}
{{- end -}}

{{/*
A PDB whose minAvailable is not below the replica count forbids every eviction: node drains
(cluster upgrades) wait forever. Refuse to render it.
*/}}
{{- define "gossip-safe.pdbGuard" -}}
{{- $min := .Values.podDisruptionBudget.minAvailable -}}
{{- $replicas := int (include "gossip-safe.minReplicas" .) -}}
{{- $what := ternary (printf "autoscaling.minReplicas=%d" $replicas) (printf "replicaCount=%d" $replicas) .Values.autoscaling.enabled -}}
{{- if kindIs "string" $min -}}
{{- if eq (trimSuffix "%" $min | int) 100 -}}
{{- fail (printf "podDisruptionBudget.minAvailable=%s blocks every node drain: no replica may ever be evicted; lower it, or set podDisruptionBudget.enabled=false" $min) -}}
{{- end -}}
{{- else if ge (int $min) $replicas -}}
{{- fail (printf "podDisruptionBudget.minAvailable=%d with %s blocks every node drain: no replica may ever be evicted; keep minAvailable below the replicas (e.g. replicaCount=2, minAvailable=1), or set podDisruptionBudget.enabled=false" (int $min) $what) -}}
{{- end -}}
{{- end -}}

{{/*
tlsConfig of the ServiceMonitor and PodMonitor: the configured one, else verification against
the CA in Secret gossip-safe-tls (ca.crt, written by the certificate bootstrap or cert-manager)
for the Service's name.
*/}}
{{- define "gossip-safe.monitorTLS" -}}
{{- $root := index . 0 -}}
{{- with index . 1 -}}
{{- toYaml . -}}
{{- else -}}
ca:
  secret:
    name: gossip-safe-tls
    key: ca.crt
serverName: gossip-safe.{{ $root.Release.Namespace }}.svc
{{- end -}}
{{- end -}}

{{/* NOTES: what is unsafe about this install's availability (empty when nothing is). */}}
{{- define "gossip-safe.haWarning" -}}
{{- if lt (int (include "gossip-safe.minReplicas" .)) 2 }}

WARNING: high availability is off: {{ if .Values.autoscaling.enabled }}autoscaling.minReplicas{{ else }}replicaCount{{ end }} is {{ include "gossip-safe.minReplicas" . }}.
While that one replica restarts or its node drains, mutation and warn fail open (pods start
unprotected) and enforce namespaces refuse workload changes. Use 2 or more replicas.
{{- end }}
{{- if not .Values.podDisruptionBudget.enabled }}

WARNING: podDisruptionBudget.enabled is false: a node drain may evict every replica at once.
{{- end }}
{{- end -}}
