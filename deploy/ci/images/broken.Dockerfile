# A release that never gets healthy: its server starts, but its health probe
# fails (the probe binary is replaced by one that exits non-zero). The stack
# test deploys it to see deploy.sh keep the running release and remove the
# new one by itself. Migrations still run (`agora migrate up` works).
ARG AGORA_IMAGE
FROM ${AGORA_IMAGE} AS release
FROM release
COPY --from=release /agora /healthcheck
