#!/bin/sh
# Render alertmanager.yml for a deployment: fill in the site settings and the
# heartbeat URL, and switch the optional Slack / PagerDuty blocks on.
#
#   render.sh IN OUT               write OUT and exit
#   render.sh IN OUT -- CMD ARGS   write OUT, then exec CMD ARGS (container entrypoint)
#
# POSIX sh + sed only (runs in the busybox-based prom/alertmanager image).
# Settings (environment):
#   ALERTMANAGER_SMTP_SMARTHOST   host:port of the SMTP relay        (required for e-mail)
#   ALERTMANAGER_SMTP_FROM        sender address
#   ALERTMANAGER_SMTP_USERNAME    SMTP user (password: secrets/smtp_password)
#   ALERTMANAGER_SMTP_AUTH=off    no SMTP login (a local relay); default on
#   ALERTMANAGER_SMTP_REQUIRE_TLS=false  allow a relay without STARTTLS; default true
#   ALERTMANAGER_EMAIL_TO         where alert e-mail goes
#   ALERTMANAGER_HEARTBEAT_URL_FILE  file holding the heartbeat URL
#                                 (default /etc/alertmanager/secrets/heartbeat_url)
#   ALERTMANAGER_SLACK=on         enable the Slack receiver (secrets/slack_webhook_url)
#   ALERTMANAGER_SLACK_CHANNEL    channel, e.g. #agora-alerts
#   ALERTMANAGER_PAGERDUTY=on     enable PagerDuty for critical alerts (secrets/pagerduty_routing_key)
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

set_value 'REPLACE_SMTP_SMARTHOST:587' "${ALERTMANAGER_SMTP_SMARTHOST:-}" ALERTMANAGER_SMTP_SMARTHOST
set_value 'REPLACE_SMTP_FROM@agora.invalid' "${ALERTMANAGER_SMTP_FROM:-}" ALERTMANAGER_SMTP_FROM
# A relay on the host or the local network may take mail without TLS and
# without a login (ALERTMANAGER_SMTP_REQUIRE_TLS=false, ALERTMANAGER_SMTP_AUTH=off).
case ${ALERTMANAGER_SMTP_REQUIRE_TLS:-true} in
  true) ;;
  false) add 's|^  smtp_require_tls: true$|  smtp_require_tls: false|' ;;
  *) echo "render.sh: ALERTMANAGER_SMTP_REQUIRE_TLS must be true or false" >&2; exit 1 ;;
esac
case ${ALERTMANAGER_SMTP_AUTH:-on} in
  on) set_value 'REPLACE_SMTP_USERNAME' "${ALERTMANAGER_SMTP_USERNAME:-}" ALERTMANAGER_SMTP_USERNAME ;;
  off) add '/^  smtp_auth_/d' ;;
  *) echo "render.sh: ALERTMANAGER_SMTP_AUTH must be on or off" >&2; exit 1 ;;
esac
set_value 'REPLACE_ALERT_EMAIL_TO@agora.invalid' "${ALERTMANAGER_EMAIL_TO:-}" ALERTMANAGER_EMAIL_TO

hb_file=${ALERTMANAGER_HEARTBEAT_URL_FILE:-/etc/alertmanager/secrets/heartbeat_url}
if [ -r "$hb_file" ]; then
  hb=$(sed -n '1{s/[[:space:]]*$//;p;}' "$hb_file")
  set_value 'http://REPLACE_HEARTBEAT_URL.invalid/' "$hb" "heartbeat URL in $hb_file"
else
  echo "render.sh: warning: no heartbeat URL ($hb_file unreadable); Watchdog notifications will fail" >&2
fi

if [ "${ALERTMANAGER_SLACK:-off}" = on ]; then
  add 's/^#slack|//'
  set_value 'REPLACE_SLACK_CHANNEL' "${ALERTMANAGER_SLACK_CHANNEL:-}" ALERTMANAGER_SLACK_CHANNEL
fi
if [ "${ALERTMANAGER_PAGERDUTY:-off}" = on ]; then
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
