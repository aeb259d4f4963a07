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
