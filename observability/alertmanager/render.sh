#!/bin/sh
# Render alertmanager.yml for a deployment: fill in the site settings and the
# heartbeat URL, and switch the optional Slack / PagerDuty blocks on.
#
#   render.sh IN OUT               write OUT and exit
#   render.sh IN OUT -- CMD ARGS   write OUT, then exec CMD ARGS (container entrypoint)
#
# POSIX sh + sed only (runs in the busybox-based prom/alertmanager image).
# Settings (environment):
#   ALERTMANAGER_SMTP_SMARTHOST   host:port of the SMTP relay
#   ALERTMANAGER_SMTP_FROM        sender address
#   ALERTMANAGER_SMTP_USERNAME    SMTP user (password: secrets/smtp_password; only with AUTH on)
#   ALERTMANAGER_SMTP_AUTH=off    no SMTP login (a local relay); default on
#   ALERTMANAGER_SMTP_REQUIRE_TLS=false  allow a relay without STARTTLS; default true
#   ALERTMANAGER_EMAIL_TO         where alert e-mail goes
#   ALERTMANAGER_HEARTBEAT_URL_FILE  file holding the heartbeat URL
#                                 (default /etc/alertmanager/secrets/heartbeat_url)
#   ALERTMANAGER_SLACK=on         enable the Slack receiver (secrets/slack_webhook_url)
#   ALERTMANAGER_SLACK_CHANNEL    channel, e.g. #agora-alerts (empty: the webhook's own)
#   ALERTMANAGER_PAGERDUTY=on     enable PagerDuty for critical alerts (secrets/pagerduty_routing_key)
# The e-mail settings (smarthost, from, to, and the username when AUTH is on)
# are required while e-mail is the only receiver: an empty value, a REPLACE_*
# marker or an example domain (example.com, .invalid, ...) stops the script
# with exit status 1. With Slack or PagerDuty on it only warns.
# The rendered file holds the heartbeat URL, a secret: write it to a private
# path (tmpfs or the container's own filesystem), never into the repository.
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 IN OUT [-- CMD ARGS...]" >&2
  exit 2
fi
in=$1
out=$2
shift 2

# check VALUE NAME: refuse characters that would break the YAML quoting.
check() {
  case $1 in
    *'"'*|*\\*) echo "render.sh: $2 must not contain quotes or backslashes" >&2; exit 1 ;;
  esac
  if [ "$(printf '%s' "$1" | wc -l)" -ne 0 ]; then
    echo "render.sh: $2 must be a single line" >&2; exit 1
  fi
}
# esc VALUE: escape for the right-hand side of a sed s||| command.
esc() { printf '%s' "$1" | sed -e 's/[&|]/\\&/g'; }

script=""
add() { script="$script
$1"; }

set_value() { # set_value PLACEHOLDER VALUE NAME
  if [ -n "$2" ]; then
    check "$2" "$3"
    add "s|$1|$(esc "$2")|g"
  else
    echo "render.sh: warning: $3 is not set; $1 stays in the config" >&2
  fi
}

# placeholder VALUE: true when VALUE is empty or still an example: the
# committed REPLACE_* markers, or a domain reserved for examples (RFC 2606:
# example.com/.net/.org, .example, .invalid), as in deploy/.env.example.
placeholder() {
  case $1 in
    '' | *REPLACE_*) return 0 ;;
  esac
  host=$(printf '%s' "${1##*@}" | tr '[:upper:]' '[:lower:]')
  host=${host%>}
  host=${host%:*}
  case $host in
    example.com | *.example.com | example.net | *.example.net | example.org | *.example.org | \
      example | *.example | invalid | *.invalid) return 0 ;;
  esac
  return 1
}

slack=${ALERTMANAGER_SLACK:-off}
pagerduty=${ALERTMANAGER_PAGERDUTY:-off}
on_off() { # on_off VALUE NAME
  case $1 in
    on | off) ;;
    *) echo "render.sh: $2 must be on or off, not '$1'" >&2; exit 1 ;;
  esac
}
on_off "$slack" ALERTMANAGER_SLACK
on_off "$pagerduty" ALERTMANAGER_PAGERDUTY

# E-mail settings. With e-mail as the only receiver, a missing or example
# value means no alert ever reaches anyone, and the alert saying so
# (AlertmanagerNotificationsFailing) would go down the same broken channel:
# refuse to start. With Slack or PagerDuty on, warn and carry on.
smtp_auth=${ALERTMANAGER_SMTP_AUTH:-on}
on_off "$smtp_auth" ALERTMANAGER_SMTP_AUTH
smtp_require_tls=${ALERTMANAGER_SMTP_REQUIRE_TLS:-true}
case $smtp_require_tls in
  true | false) ;;
  *) echo "render.sh: ALERTMANAGER_SMTP_REQUIRE_TLS must be true or false, not '$smtp_require_tls'" >&2; exit 1 ;;
esac
bad=""
if placeholder "${ALERTMANAGER_SMTP_SMARTHOST:-}"; then bad="$bad ALERTMANAGER_SMTP_SMARTHOST"; fi
if placeholder "${ALERTMANAGER_SMTP_FROM:-}"; then bad="$bad ALERTMANAGER_SMTP_FROM"; fi
if placeholder "${ALERTMANAGER_EMAIL_TO:-}"; then bad="$bad ALERTMANAGER_EMAIL_TO"; fi
if [ "$smtp_auth" = on ] && placeholder "${ALERTMANAGER_SMTP_USERNAME:-}"; then
  bad="$bad ALERTMANAGER_SMTP_USERNAME"
fi
smarthost=${ALERTMANAGER_SMTP_SMARTHOST:-}
if [ -n "$smarthost" ] && ! printf '%s\n' "$smarthost" | grep -Eq '^([^][:space:]:]+|\[[0-9A-Fa-f:.]+\]):[0-9]+$'; then
  echo "render.sh: ALERTMANAGER_SMTP_SMARTHOST must be host:port, not '$smarthost'" >&2; exit 1
fi
if [ -n "$bad" ]; then
  if [ "$slack" = off ] && [ "$pagerduty" = off ]; then
    echo "render.sh: e-mail is the only receiver and these settings are empty or examples:$bad (set them in deploy/.env, or switch ALERTMANAGER_SLACK/ALERTMANAGER_PAGERDUTY on)" >&2
    exit 1
  fi
  echo "render.sh: warning: e-mail will fail, these settings are empty or examples:$bad" >&2
fi

set_value 'REPLACE_SMTP_SMARTHOST:587' "$smarthost" ALERTMANAGER_SMTP_SMARTHOST
set_value 'REPLACE_SMTP_FROM@agora.invalid' "${ALERTMANAGER_SMTP_FROM:-}" ALERTMANAGER_SMTP_FROM
# A relay on the host or the local network may take mail without TLS and
# without a login (ALERTMANAGER_SMTP_REQUIRE_TLS=false, ALERTMANAGER_SMTP_AUTH=off).
if [ "$smtp_require_tls" = false ]; then
  add 's|^  smtp_require_tls: true$|  smtp_require_tls: false|'
fi
if [ "$smtp_auth" = on ]; then
  set_value 'REPLACE_SMTP_USERNAME' "${ALERTMANAGER_SMTP_USERNAME:-}" ALERTMANAGER_SMTP_USERNAME
else
  add '/^  smtp_auth_/d'
fi
set_value 'REPLACE_ALERT_EMAIL_TO@agora.invalid' "${ALERTMANAGER_EMAIL_TO:-}" ALERTMANAGER_EMAIL_TO

hb_file=${ALERTMANAGER_HEARTBEAT_URL_FILE:-/etc/alertmanager/secrets/heartbeat_url}
if [ -r "$hb_file" ]; then
  hb=$(sed -n '1{s/[[:space:]]*$//;p;}' "$hb_file")
  set_value 'http://REPLACE_HEARTBEAT_URL.invalid/' "$hb" "heartbeat URL in $hb_file"
else
  echo "render.sh: warning: no heartbeat URL ($hb_file unreadable); Watchdog notifications will fail" >&2
fi

if [ "$slack" = on ]; then
  add 's/^#slack|//'
  if [ -n "${ALERTMANAGER_SLACK_CHANNEL:-}" ]; then
    set_value 'REPLACE_SLACK_CHANNEL' "$ALERTMANAGER_SLACK_CHANNEL" ALERTMANAGER_SLACK_CHANNEL
  else
    # No channel: the incoming webhook posts to its own default channel.
    add '/^ *channel: "REPLACE_SLACK_CHANNEL"$/d'
  fi
fi
if [ "$pagerduty" = on ]; then
  add 's/^#pagerduty|//'
fi

umask 077
tmp="$out.tmp.$$"
sed -e "$script" "$in" > "$tmp"
mv "$tmp" "$out"

if [ $# -gt 0 ]; then
  if [ "$1" = "--" ]; then shift; fi
  exec "$@"
fi
