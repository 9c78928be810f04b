#!/usr/bin/env bash
# Certbot deploy hook: after a certificate is renewed, reload Nginx so it
# serves the new one, and record the certificate's expiry for Prometheus
# (node_exporter textfile: agora_tls.prom,
# agora_tls_cert_expiry_timestamp_seconds{domain}).
#
#   certbot-deploy-hook.sh [--dry-run] [--metrics-only]
#
# bootstrap.sh links it into /etc/letsencrypt/renewal-hooks/deploy/, where
# certbot runs it with RENEWED_LINEAGE set; cron also runs it daily with
# --metrics-only so the metric stays fresh between renewals.
#
# Environment: RENEWED_LINEAGE (certbot; default /etc/letsencrypt/live/agora),
# TEXTFILE_DIR (/var/lib/node_exporter/textfile_collector), COMPOSE_FILE.
set -euo pipefail

me=certbot-deploy-hook
# Through the renewal-hooks link: the folder of the file it points at.
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
# Colon-separated, read by docker compose itself (as in deploy.sh).
export COMPOSE_FILE="${COMPOSE_FILE:-$deploy_dir/compose.yaml}"
TEXTFILE_DIR="${TEXTFILE_DIR:-/var/lib/node_exporter/textfile_collector}"
lineage="${RENEWED_LINEAGE:-/etc/letsencrypt/live/agora}"

metrics_only=0
switches metrics-only "$@"

cert="$lineage/fullchain.pem"

if [[ $metrics_only -eq 0 ]]; then
    # Check the configuration first: a reload with a broken one is refused
    # by Nginx anyway, but this way the hook fails loudly.
    run docker compose exec -T nginx nginx -t -q
    run docker compose exec -T nginx nginx -s reload
fi

printf '+ openssl x509 -in %s -noout -enddate -ext subjectAltName\n' "$cert"
printf '+ write %s/agora_tls.prom\n' "$TEXTFILE_DIR"
if [[ $dry_run -eq 1 ]]; then
    exit 0
fi

end="$(openssl x509 -in "$cert" -noout -enddate)"
end="${end#notAfter=}"
expiry="$(date -u -d "$end" +%s)"

# Every DNS name on the certificate gets a series (SANs, else the CN).
mapfile -t domains < <(openssl x509 -in "$cert" -noout -ext subjectAltName 2>/dev/null |
    tr ',' '\n' | sed -n 's/^[[:space:]]*DNS:\(.*\)$/\1/p')
if [[ ${#domains[@]} -eq 0 ]]; then
    mapfile -t domains < <(openssl x509 -in "$cert" -noout -subject -nameopt multiline |
        sed -n 's/^[[:space:]]*commonName[[:space:]]*=[[:space:]]*//p')
fi

mkdir -p "$TEXTFILE_DIR"
tmp="$TEXTFILE_DIR/.agora_tls.prom.$$"
trap 'rm -f "$tmp"' EXIT
{
    echo '# HELP agora_tls_cert_expiry_timestamp_seconds When the served TLS certificate expires (Unix time).'
    echo '# TYPE agora_tls_cert_expiry_timestamp_seconds gauge'
    for d in "${domains[@]}"; do
        d="${d//\\/}"
        d="${d//\"/}"
        echo "agora_tls_cert_expiry_timestamp_seconds{domain=\"$d\"} $expiry"
    done
} >"$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$TEXTFILE_DIR/agora_tls.prom"
echo "certbot-deploy-hook: ${domains[*]} expire at $end" >&2
