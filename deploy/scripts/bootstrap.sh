#!/usr/bin/env bash
# Prepare a fresh Debian 12 / Ubuntu 22.04+ VPS for Agora. Run as root, once;
# running it again changes nothing that is already in place.
#
#   bootstrap.sh [--dry-run] --domain api.example.com --email ops@example.com
#                [--ssh-key /path/to/key.pub] [--repo-dir /home/deploy/agora]
#                [--repo-url URL] (--offsite-env FILE | --no-offsite)
#
# It sets up:
#   - the `deploy` user, logging in with SSH keys only (the key from
#     --ssh-key, else root's authorized_keys); root login and passwords off,
#   - UFW: deny incoming except 22, 80 and 443 (and node_exporter's port
#     from the Docker networks only),
#   - unattended security upgrades (reboots at 04:00 when one needs it),
#   - Docker Engine and the Compose plugin (Docker's apt repository), with
#     IPv6 through ip6tables and no userland proxy (clients keep their
#     address), and jq (deploy.sh reads `docker compose config`),
#   - the folders: /home/deploy/backups, the node_exporter textfile folder,
#     /var/www/certbot (ACME webroot), deploy/secrets/alertmanager, and
#     /etc/agora/prometheus-targets with the public URL the blackbox probes,
#   - the container-state timer (restart counts and OOM kills as metrics),
#   - a Let's Encrypt certificate (lineage "agora") with automatic renewal
#     (certbot.timer) that reloads Nginx and refreshes agora_tls.prom,
#   - the off-site backup target: --offsite-env FILE holds the
#     PGBACKREST_REPO2_* settings (S3 endpoint, bucket, region, keys, the
#     encryption passphrase) and SECRETS_AGE_RECIPIENT; they are checked and
#     written into deploy/.env (made from .env.example when missing, mode
#     0600). Without it bootstrap refuses to run: backups only on this disk
#     die with it. --no-offsite accepts that explicitly (README.md warns),
#   - cron: pgBackRest's full backup on Sundays and differential on the
#     other days at 02:00, the logical pg_dump at 02:30, the TLS metric at
#     03:15; the weekly restore drill timer (Sundays 05:00).
#
# --dry-run prints every command and file it would run or write, as on a
# fresh machine, and changes nothing (it needs no root).
set -euo pipefail

DEPLOY_USER="${DEPLOY_USER:-deploy}"
deploy_home="/home/$DEPLOY_USER"
repo_dir="$deploy_home/agora"
repo_url=""
domain=""
email=""
ssh_key=""
offsite_env=""
no_offsite=0
dry_run=0
textfile_dir="/var/lib/node_exporter/textfile_collector"
backup_dir="$deploy_home/backups"
webroot="/var/www/certbot"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        --no-offsite) no_offsite=1 ;;
        --domain | --email | --ssh-key | --repo-dir | --repo-url | --offsite-env)
            [[ $# -ge 2 ]] || { echo "bootstrap: $1 needs a value" >&2; exit 2; }
            case "$1" in
                --domain) domain="$2" ;;
                --email) email="$2" ;;
                --ssh-key) ssh_key="$2" ;;
                --repo-dir) repo_dir="$2" ;;
                --repo-url) repo_url="$2" ;;
                --offsite-env) offsite_env="$2" ;;
            esac
            shift
            ;;
        -h | --help)
            sed -n '2,33p' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *)
            echo "bootstrap: unknown argument: $1" >&2
            exit 2
            ;;
    esac
    shift
done

log() { printf 'bootstrap: %s\n' "$*" >&2; }
die() {
    log "$*"
    exit 1
}

run() {
    printf '+ %s\n' "$*"
    if [[ $dry_run -eq 0 ]]; then
        "$@"
    fi
}

# missing CMD... succeeds when CMD fails, i.e. when a step still has to be
# done. In a dry run every step is shown, as on a fresh machine.
missing() {
    [[ $dry_run -eq 1 ]] && return 0
    ! "$@" >/dev/null 2>&1
}

# write_file PATH MODE OWNER: writes stdin to PATH when it differs.
# Returns 0 when it wrote, 1 when the file was already up to date.
write_file() {
    local path="$1" mode="$2" owner="$3" content tmp
    content="$(cat)"
    if [[ $dry_run -eq 1 ]]; then
        printf '+ write %s (mode %s, owner %s):\n' "$path" "$mode" "$owner"
        printf '%s\n' "$content" | sed 's/^/|   /'
        return 0
    fi
    if [[ -f $path ]] && [[ "$(cat "$path")" == "$content" ]]; then
        return 1
    fi
    mkdir -p "$(dirname "$path")"
    tmp="$(mktemp "$path.XXXXXX")"
    printf '%s\n' "$content" >"$tmp"
    chmod "$mode" "$tmp"
    chown "$owner" "$tmp"
    mv -f "$tmp" "$path"
    printf '+ wrote %s\n' "$path"
    return 0
}

if [[ $dry_run -eq 0 && $EUID -ne 0 ]]; then
    die "run as root (or with --dry-run)"
fi
if [[ -n $domain && -z $email ]]; then
    die "--domain needs --email (Let's Encrypt expiry notices)"
fi

# ---------------------------------------------------------- off-site target
# Checked before anything changes: a server whose only backups are on its
# own disk loses them with it.
offsite_names=(PGBACKREST_REPO2_TYPE PGBACKREST_REPO2_S3_ENDPOINT PGBACKREST_REPO2_S3_BUCKET
    PGBACKREST_REPO2_S3_REGION PGBACKREST_REPO2_S3_KEY PGBACKREST_REPO2_S3_KEY_SECRET
    PGBACKREST_REPO2_CIPHER_PASS SECRETS_AGE_RECIPIENT)
declare -A offsite=()
if [[ -n $offsite_env && $no_offsite -eq 1 ]]; then
    die "--offsite-env and --no-offsite exclude each other"
elif [[ -n $offsite_env ]]; then
    [[ -r $offsite_env ]] || die "cannot read --offsite-env $offsite_env"
    # It holds the store's keys and the backups' passphrase.
    [[ $(stat -c %a -- "$offsite_env") =~ ^[0-7]00$ ]] ||
        die "--offsite-env $offsite_env is readable by other users: chmod 600 $offsite_env (and delete it after bootstrap)"
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line =~ ^(PGBACKREST_REPO2_[A-Z0-9_]+|SECRETS_AGE_RECIPIENT)=(.*)$ ]]; then
            offsite[${BASH_REMATCH[1]}]="${BASH_REMATCH[2]}"
        elif [[ $line =~ ^[[:space:]]*(#|$) ]]; then
            continue
        else
            die "--offsite-env: unexpected line (only PGBACKREST_REPO2_*=... and SECRETS_AGE_RECIPIENT=...): ${line%%=*}"
        fi
    done <"$offsite_env"
    for name in "${offsite_names[@]}"; do
        [[ -n ${offsite[$name]:-} ]] || die "--offsite-env: $name is missing or empty"
    done
    # Compose expands $ in deploy/.env and the backup scripts do not; quotes,
    # spaces, # and backslashes are read differently too. A passphrase that
    # reached pgBackRest altered would not be the one in the password manager.
    for name in "${!offsite[@]}"; do
        [[ ! ${offsite[$name]} =~ [[:space:]\\\$\"\'\`#] ]] ||
            die "--offsite-env: $name contains a space, quote, \$, # or backslash; use letters, digits and / + = . _ - (openssl rand -base64 48)"
    done
    [[ ${offsite[PGBACKREST_REPO2_TYPE]} == s3 ]] || die "--offsite-env: PGBACKREST_REPO2_TYPE must be s3"
    [[ ${#offsite[PGBACKREST_REPO2_CIPHER_PASS]} -ge 32 ]] ||
        die "--offsite-env: PGBACKREST_REPO2_CIPHER_PASS is shorter than 32 characters (openssl rand -base64 48)"
    [[ ${offsite[SECRETS_AGE_RECIPIENT]} =~ ^age1[0-9a-z]{58}$ ]] ||
        die "--offsite-env: SECRETS_AGE_RECIPIENT is not an age public key (age1...; age-keygen makes one)"
    [[ ${offsite[PGBACKREST_REPO2_S3_ENDPOINT]} =~ ^[A-Za-z0-9.-]+$ ]] ||
        die "--offsite-env: PGBACKREST_REPO2_S3_ENDPOINT is a host name (no https://, no path)"
elif [[ $no_offsite -eq 1 ]]; then
    log "WARNING: --no-offsite: backups and WAL stay on this server's disk only; losing the server loses them (README.md)"
    # Recorded in deploy/.env: the scripts and alerts then know the missing
    # off-site store is the operator's choice, not a lost setting.
    offsite[AGORA_NO_OFFSITE]=1
else
    die "no off-site backup target: pass --offsite-env FILE (README.md, \"Backups and recovery\"), or --no-offsite to accept losing every backup with this server"
fi

# ---------------------------------------------------------------- packages
export DEBIAN_FRONTEND=noninteractive
run apt-get update
run apt-get install -y --no-install-recommends \
    ca-certificates curl gnupg git ufw openssh-server unattended-upgrades \
    apt-listchanges certbot cron python3 openssl rclone gzip age

# ------------------------------------------------------------ deploy user
if missing id -u "$DEPLOY_USER"; then
    run useradd --create-home --shell /bin/bash "$DEPLOY_USER"
fi
run install -d -m 0700 -o "$DEPLOY_USER" -g "$DEPLOY_USER" "$deploy_home/.ssh"

authorized="$deploy_home/.ssh/authorized_keys"
if [[ -n $ssh_key ]]; then
    key_source="$ssh_key"
else
    key_source="/root/.ssh/authorized_keys"
fi
if [[ $dry_run -eq 1 ]] || ! grep -q . "$authorized" 2>/dev/null; then
    if [[ $dry_run -eq 0 ]] && ! grep -q '^ssh-\|^ecdsa-\|^sk-' "$key_source" 2>/dev/null; then
        die "no SSH public key in $key_source: pass --ssh-key FILE (refusing to lock you out)"
    fi
    run install -m 0600 -o "$DEPLOY_USER" -g "$DEPLOY_USER" "$key_source" "$authorized"
fi

# ------------------------------------------------------------------- SSH
# Debian and Ubuntu read sshd_config.d/*.conf first, and the first value of
# a setting wins, so this file overrides later ones (e.g. cloud-init's).
if write_file /etc/ssh/sshd_config.d/10-agora.conf 0644 root:root <<'EOF'; then
# Managed by Agora's bootstrap.sh
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitEmptyPasswords no
X11Forwarding no
MaxAuthTries 3
EOF
    run sshd -t
    run systemctl reload ssh
fi

# ------------------------------------------------------------------- UFW
# Docker publishes ports through its own iptables rules, past UFW: that is
# why compose.yaml publishes only Nginx's 80/443 (and Grafana on loopback).
run ufw default deny incoming
run ufw default allow outgoing
run ufw allow 22/tcp
run ufw allow 80/tcp
run ufw allow 443/tcp
# node_exporter runs in the host's network, listening on the engine's
# host-gateway address only; Prometheus reaches it from the Docker networks.
# Docker's default address pools only (172.17-31.x, 192.168.x): never 10/8,
# where a provider's private network may live.
run ufw allow from 172.16.0.0/12 to 172.17.0.1 port 9100 proto tcp
run ufw allow from 192.168.0.0/16 to 172.17.0.1 port 9100 proto tcp
run ufw --force enable

# --------------------------------------------------- unattended upgrades
write_file /etc/apt/apt.conf.d/20auto-upgrades 0644 root:root <<'EOF' || true
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
APT::Periodic::AutocleanInterval "7";
EOF
write_file /etc/apt/apt.conf.d/52agora-unattended-upgrades 0644 root:root <<'EOF' || true
// Managed by Agora's bootstrap.sh
Unattended-Upgrade::Automatic-Reboot "true";
Unattended-Upgrade::Automatic-Reboot-Time "04:00";
Unattended-Upgrade::Remove-Unused-Dependencies "true";
EOF
run systemctl enable --now unattended-upgrades

# ---------------------------------------------------------------- Docker
if missing command -v docker; then
    # shellcheck source=/dev/null
    os_id="$(. /etc/os-release && echo "$ID")"
    # shellcheck source=/dev/null
    codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
    arch="ARCH" # dpkg --print-architecture, not run in a dry run
    if [[ $dry_run -eq 0 ]]; then
        arch="$(dpkg --print-architecture)"
    fi
    run install -m 0755 -d /etc/apt/keyrings
    run curl -fsSL "https://download.docker.com/linux/$os_id/gpg" -o /etc/apt/keyrings/docker.asc
    run chmod a+r /etc/apt/keyrings/docker.asc
    write_file /etc/apt/sources.list.d/docker.list 0644 root:root <<EOF || true
deb [arch=$arch signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/$os_id $codename stable
EOF
    run apt-get update
    run apt-get install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin
fi
# No userland proxy: published ports go through iptables NAT, which keeps the
# client's address (the proxy would present every client as the gateway).
# ip6tables: the same for IPv6 clients (the agora network has IPv6 on).
daemon_changed=0
write_file /etc/docker/daemon.json 0644 root:root <<'EOF' && daemon_changed=1
{
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "5" },
  "userland-proxy": false,
  "ipv6": true,
  "ip6tables": true,
  "fixed-cidr-v6": "fd00:dead:beef::/64"
}
EOF
# The engine reads daemon.json only at start (the package started it before).
if [[ $daemon_changed -eq 1 ]]; then
    run systemctl restart docker
fi
run apt-get install -y --no-install-recommends jq
run systemctl enable --now docker
run usermod -aG docker "$DEPLOY_USER"

# --------------------------------------------------------------- folders
run install -d -m 0700 -o "$DEPLOY_USER" -g "$DEPLOY_USER" "$backup_dir"
run install -d -m 0755 -o "$DEPLOY_USER" -g "$DEPLOY_USER" "$textfile_dir"
run install -d -m 0755 "$webroot"

if [[ -n $repo_url ]] && missing test -d "$repo_dir/.git"; then
    run runuser -u "$DEPLOY_USER" -- git clone "$repo_url" "$repo_dir"
fi
run install -d -m 0700 -o "$DEPLOY_USER" -g "$DEPLOY_USER" "$repo_dir/deploy/secrets"
# 0755: Alertmanager reads the files in it as another user (65534); the
# files themselves are 0644 (deploy/secrets/README.md).
run install -d -m 0755 -o "$DEPLOY_USER" -g "$DEPLOY_USER" "$repo_dir/deploy/secrets/alertmanager"
run install -d -m 0755 /etc/agora/prometheus-targets
if [[ -n $domain ]]; then
    write_file /etc/agora/prometheus-targets/public-urls.yml 0644 root:root <<EOF || true
# The public URL the blackbox exporter probes (written by bootstrap.sh).
- targets:
    - https://$domain/healthz
EOF
fi

# Container restarts and OOM kills for node_exporter (every minute).
run install -m 0755 "$repo_dir/deploy/scripts/container-state.sh" /usr/local/bin/agora-container-state
run install -m 0644 "$repo_dir/deploy/systemd/agora-container-state.service" "$repo_dir/deploy/systemd/agora-container-state.timer" /etc/systemd/system/
run systemctl daemon-reload
run systemctl enable --now agora-container-state.timer

# deploy/.env with the off-site settings (the other values are the
# operator's to fill in, as before).
env_file="$repo_dir/deploy/.env"
if [[ ${#offsite[@]} -gt 0 ]]; then
    if missing test -f "$env_file"; then
        run install -m 0600 -o "$DEPLOY_USER" -g "$DEPLOY_USER" "$repo_dir/deploy/.env.example" "$env_file"
    fi
    for name in "${offsite_names[@]}" PGBACKREST_REPO2_PATH PGBACKREST_REPO2_S3_URI_STYLE PGBACKREST_REPO2_RETENTION_FULL AGORA_NO_OFFSITE; do
        [[ -n ${offsite[$name]:-} ]] || continue
        if [[ $dry_run -eq 1 ]]; then
            printf '+ set %s in %s\n' "$name" "$env_file"
            continue
        fi
        value="${offsite[$name]}"
        if grep -q "^#\?$name=" "$env_file"; then
            tmp="$(mktemp "$env_file.XXXXXX")"
            # ENVIRON, not awk -v: -v would turn backslash sequences in v.
            n="$name" v="$value" awk 'BEGIN { done = 0; n = ENVIRON["n"]; v = ENVIRON["v"] }
                $0 ~ "^#?" n "=" { if (!done) print n "=" v; done = 1; next } { print }' "$env_file" >"$tmp"
            chmod 0600 "$tmp"
            chown "$DEPLOY_USER:$DEPLOY_USER" "$tmp"
            mv -f "$tmp" "$env_file"
        else
            printf '%s=%s\n' "$name" "$value" >>"$env_file"
        fi
    done
fi

# The weekly restore drill (Sundays 05:00; agora_restore.prom).
run install -m 0644 "$repo_dir/deploy/systemd/agora-restore-drill.service" "$repo_dir/deploy/systemd/agora-restore-drill.timer" /etc/systemd/system/
run sed -i -e "s|/home/deploy/agora|$repo_dir|g" -e "s|^User=deploy\$|User=$DEPLOY_USER|" /etc/systemd/system/agora-restore-drill.service
run systemctl daemon-reload
run systemctl enable agora-restore-drill.timer

# ------------------------------------------------------------ TLS (certbot)
hook_src="$repo_dir/deploy/scripts/certbot-deploy-hook.sh"
run install -d -m 0755 /etc/letsencrypt/renewal-hooks/deploy
run ln -sfn "$hook_src" /etc/letsencrypt/renewal-hooks/deploy/agora.sh
if [[ -n $domain ]]; then
    if missing test -s /etc/letsencrypt/live/agora/fullchain.pem; then
        # Nginx cannot start without a certificate, so the first HTTP-01
        # challenge is served by a throwaway web server from the same
        # webroot that Nginx serves later; renewals then go through Nginx.
        printf '+ python3 -m http.server 80 --directory %s &\n' "$webroot"
        server_pid=""
        if [[ $dry_run -eq 0 ]]; then
            python3 -m http.server 80 --bind 0.0.0.0 --directory "$webroot" >/dev/null 2>&1 &
            server_pid=$!
            trap 'kill "$server_pid" 2>/dev/null || true' EXIT
            sleep 1
        fi
        run certbot certonly --webroot --webroot-path "$webroot" --cert-name agora \
            --domain "$domain" --email "$email" --agree-tos --non-interactive --no-eff-email
        if [[ -n $server_pid ]]; then
            run kill "$server_pid"
            trap - EXIT
        fi
    fi
else
    log "no --domain: skipping the certificate (see deploy/README.md)"
fi
run systemctl enable --now certbot.timer

# ------------------------------------------------------------------- cron
write_file /etc/cron.d/agora 0644 root:root <<EOF || true
# Managed by Agora's bootstrap.sh
SHELL=/bin/bash
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# pgBackRest (point-in-time recovery; WAL is archived all the time): a full
# backup on Sundays, a differential on the other days, at 02:00.
0 2 * * 0 $DEPLOY_USER $repo_dir/deploy/scripts/pgbackrest-backup.sh full >>$backup_dir/pgbackrest.log 2>&1
0 2 * * 1-6 $DEPLOY_USER $repo_dir/deploy/scripts/pgbackrest-backup.sh diff >>$backup_dir/pgbackrest.log 2>&1
# The logical dump (pg_dump, 7 days): single tables or rows, other versions.
30 2 * * * $DEPLOY_USER $repo_dir/deploy/scripts/backup.sh >>$backup_dir/backup.log 2>&1
# The encrypted archive of deploy/.env and deploy/secrets, off-site.
45 2 * * * $DEPLOY_USER $repo_dir/deploy/scripts/secrets-archive.sh >>$backup_dir/secrets-archive.log 2>&1
# TLS expiry metric for the "certificate expires soon" alert.
15 3 * * * root $repo_dir/deploy/scripts/certbot-deploy-hook.sh --metrics-only >/dev/null 2>&1
EOF

if [[ -n $offsite_env ]]; then
    log "deploy/.env now holds the off-site values: delete $offsite_env (shred -u $offsite_env); keep its values in your password manager"
fi
log "done. Next: as $DEPLOY_USER, fill in $repo_dir/deploy/.env and run deploy/scripts/deploy.sh"
