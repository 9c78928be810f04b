{{/* Names and labels. */}}
{{- define "agora.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "agora.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "agora.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agora.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "agora.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "agora.selectorLabels" . }}
app.kubernetes.io/version: {{ include "agora.tag" . | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: agora
{{- end -}}

{{- define "agora.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "agora.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "agora.tag" .) -}}
{{- end -}}

{{- define "agora.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "agora.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The chart's own Secret (values given inline). */}}
{{- define "agora.secretName" -}}
{{- printf "%s-secrets" (include "agora.fullname" .) -}}
{{- end -}}

{{- define "agora.ownSecretNeeded" -}}
{{- if or .Values.database.url .Values.jwt.privateKey .Values.redis.url -}}true{{- end -}}
{{- end -}}

{{/* Where DATABASE_URL comes from: "<secret name>|<key>". Exactly one source. */}}
{{- define "agora.databaseSecretRef" -}}
{{- $d := .Values.database -}}
{{- $n := 0 -}}
{{- if $d.cnpg.cluster }}{{ $n = add1 $n }}{{ end -}}
{{- if $d.existingSecret }}{{ $n = add1 $n }}{{ end -}}
{{- if $d.url }}{{ $n = add1 $n }}{{ end -}}
{{- if ne $n 1 -}}
{{- fail "set exactly one of database.cnpg.cluster, database.existingSecret, database.url" -}}
{{- end -}}
{{- if $d.cnpg.cluster -}}
{{- printf "%s-app|uri" $d.cnpg.cluster -}}
{{- else if $d.existingSecret -}}
{{- printf "%s|%s" $d.existingSecret $d.existingSecretKey -}}
{{- else -}}
{{- printf "%s|database-url" (include "agora.secretName" .) -}}
{{- end -}}
{{- end -}}

{{- define "agora.jwtSecretRef" -}}
{{- $j := .Values.jwt -}}
{{- if and $j.existingSecret $j.privateKey -}}
{{- fail "set only one of jwt.existingSecret and jwt.privateKey" -}}
{{- else if $j.existingSecret -}}
{{- printf "%s|%s" $j.existingSecret $j.existingSecretKey -}}
{{- else if $j.privateKey -}}
{{- printf "%s|jwt_private_key.pem" (include "agora.secretName" .) -}}
{{- else -}}
{{- fail "a JWT signing key is required: set jwt.existingSecret (a Secret made from `agora keygen`) or jwt.privateKey" -}}
{{- end -}}
{{- end -}}

{{/* Empty when rate limits are not in Redis. */}}
{{- define "agora.redisSecretRef" -}}
{{- $r := .Values.redis -}}
{{- if and .Values.rateLimit.enabled (eq .Values.rateLimit.store "redis") -}}
{{- if and $r.existingSecret $r.url -}}
{{- fail "set only one of redis.existingSecret and redis.url" -}}
{{- else if $r.existingSecret -}}
{{- printf "%s|%s" $r.existingSecret $r.existingSecretKey -}}
{{- else if $r.url -}}
{{- printf "%s|redis-url" (include "agora.secretName" .) -}}
{{- else -}}
{{- fail "rateLimit.store is redis: set redis.existingSecret or redis.url" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Fails when several processes would each keep their own limits, or
when the pods at their most could open more connections than PostgreSQL
takes (pods x 4 x GOMAXPROCS, the pool size of adapters/postgres). */}}
{{- define "agora.checkLimits" -}}
{{- if and .Values.rateLimit.enabled (eq .Values.rateLimit.store "memory") -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) -}}
{{- fail "rateLimit.store=memory keeps a separate budget in every replica (N replicas allow N times the limit): use rateLimit.store=redis, or one replica without autoscaling" -}}
{{- end -}}
{{- end -}}
{{- $pods := int .Values.replicaCount -}}
{{- if .Values.autoscaling.enabled }}{{ $pods = int .Values.autoscaling.maxReplicas }}{{ end -}}
{{- $surge := div (add (mul $pods 25) 99) 100 -}}
{{- $pool := min 64 (mul 4 (int .Values.config.goMaxProcs)) -}}
{{- $worst := add (mul (add $pods $surge) $pool) 2 -}}
{{- if gt (int $worst) (int .Values.database.maxConnections) -}}
{{- fail (printf "up to %d pods (replicas plus the 25%% rollout surge) x %d pool connections + 2 for migrations = %d connections, above database.maxConnections=%d: lower autoscaling.maxReplicas or config.goMaxProcs, or put PgBouncer in front of PostgreSQL and raise database.maxConnections" (add $pods $surge) $pool $worst (int .Values.database.maxConnections)) -}}
{{- end -}}
{{- end -}}

{{/* An env var from "<secret>|<key>". */}}
{{- define "agora.secretEnv" -}}
{{- $parts := splitList "|" .ref -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ first $parts }}
      key: {{ last $parts }}
{{- end -}}

{{- define "agora.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "agora.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}
