{{/*
Helpers of the facerec chart. Per-service values are read in each service's own template
(`.Values.<service>.…`), so that test/deploy can check every path against values.yaml; the helpers
here take the root context and, where needed, a component name.
*/}}

{{- define "facerec.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "facerec.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "facerec.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; (dict "root" $ "component" "<service>") adds the component. */}}
{{- define "facerec.labels" -}}
helm.sh/chart: {{ include "facerec.chart" .root }}
{{ include "facerec.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: facerec
{{- end }}

{{- define "facerec.selectorLabels" -}}
app.kubernetes.io/name: {{ include "facerec.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{- define "facerec.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "facerec.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "facerec.configMapName" -}}
{{- printf "%s-config" (include "facerec.fullname" .) }}
{{- end }}

{{- define "facerec.secretName" -}}
{{- default (printf "%s-secrets" (include "facerec.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/* The image of a service: (dict "root" $ "gpu" true) for detector/embedder, which take the GPU image when gpu.enabled. */}}
{{- define "facerec.image" -}}
{{- $root := .root }}
{{- if and .gpu $root.Values.gpu.enabled }}
{{- printf "%s:%s" $root.Values.gpu.image.repository (default $root.Chart.AppVersion $root.Values.gpu.image.tag) }}
{{- else }}
{{- printf "%s:%s" $root.Values.image.repository (default $root.Chart.AppVersion $root.Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Name of the bundled NATS chart's objects (its fullname rule: release name, or <release>-nats). */}}
{{- define "facerec.natsFullname" -}}
{{- if .Values.nats.fullnameOverride }}
{{- .Values.nats.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains "nats" .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-nats" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* NATS_URL: the bundled NATS's client Service, or externalNats.url. */}}
{{- define "facerec.natsUrl" -}}
{{- if .Values.nats.enabled }}
{{- printf "nats://%s.%s.svc:4222" (include "facerec.natsFullname" .) .Release.Namespace }}
{{- else }}
{{- .Values.externalNats.url }}
{{- end }}
{{- end }}

{{/* host:port of the NATS monitoring endpoint for KEDA (the bundled chart's headless Service serves port 8222). */}}
{{- define "facerec.natsMonitoringEndpoint" -}}
{{- if .Values.nats.enabled }}
{{- printf "%s-headless.%s.svc.cluster.local:8222" (include "facerec.natsFullname" .) .Release.Namespace }}
{{- else }}
{{- .Values.externalNats.monitoringEndpoint }}
{{- end }}
{{- end }}

{{/* QDRANT_URL: the bundled Qdrant's Service, externalQdrant.url, or empty (the matcher's embedded index). */}}
{{- define "facerec.qdrantUrl" -}}
{{- if .Values.qdrant.enabled }}
{{- $name := "qdrant" }}
{{- if .Values.qdrant.fullnameOverride }}
{{- $name = .Values.qdrant.fullnameOverride }}
{{- else if not (contains "qdrant" .Release.Name) }}
{{- $name = printf "%s-qdrant" .Release.Name }}
{{- else }}
{{- $name = .Release.Name }}
{{- end }}
{{- printf "http://%s.%s.svc:6333" $name .Release.Namespace }}
{{- else }}
{{- .Values.externalQdrant.url }}
{{- end }}
{{- end }}

{{/*
Refuses values the services cannot honour. The schema types every value; these relate two of them.
*/}}
{{- define "facerec.validate" -}}
{{- $needed := add .Values.preStopSleepSeconds .Values.shutdownGraceSeconds 5 }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed preStopSleepSeconds + shutdownGraceSeconds + 5 (%v): a service exits by itself at most shutdownGraceSeconds + 5 s after SIGTERM" .Values.terminationGracePeriodSeconds $needed) }}
{{- end }}
{{- if and .Values.nats.enabled (not .Values.nats.config.jetstream.enabled) }}
{{- fail "nats.config.jetstream.enabled must be true: jobs, results and uploads live in JetStream" }}
{{- end }}
{{- if and .Values.auth.allowAnonymous .Values.auth.existingSecret }}
{{- fail "auth.allowAnonymous and auth.existingSecret exclude each other: anonymous means no API key at all" }}
{{- end }}
{{- if and (not .Values.nats.enabled) (not .Values.externalNats.url) (not .Values.secrets.natsUrl) (not .Values.secrets.existingSecret) }}
{{- fail "no NATS: set nats.enabled, externalNats.url or secrets.natsUrl" }}
{{- end }}
{{- end }}

{{/* Pod annotations: config checksums (pods restart when the ConfigMap or Secret changes), scrape hints, the user's. */}}
{{- define "facerec.podAnnotations" -}}
{{- $root := .root }}
checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
{{- if $root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/path: /metrics
prometheus.io/port: {{ .metricsPort | quote }}
{{- end }}
{{- with $root.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The pod-level settings every service shares. */}}
{{- define "facerec.podCommon" -}}
serviceAccountName: {{ include "facerec.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Writable scratch space under a read-only root filesystem (tsx's compile cache, ffmpeg temp files). */}}
{{- define "facerec.tmpVolume" -}}
- name: tmp
  emptyDir: {}
{{- end }}

{{- define "facerec.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/*
A value of the generated auth Secret, base64: the one the release's Secret already holds (so that
an upgrade keeps the keys), else 48 new random characters. (dict "root" $ "key" "api-key").
lookup answers nothing under `helm template` and --dry-run: there every render makes new values.
*/}}
{{- define "facerec.generatedSecret" -}}
{{- $found := lookup "v1" "Secret" .root.Release.Namespace (printf "%s-auth" (include "facerec.fullname" .root)) | default dict }}
{{- $data := get $found "data" | default dict }}
{{- if hasKey $data .key }}
{{- index $data .key }}
{{- else }}
{{- randAlphaNum 48 | b64enc }}
{{- end }}
{{- end }}
