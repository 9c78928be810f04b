#!/bin/sh
# Nginx container entrypoint (both the official image and the CI stand-in):
# write the default upstream list, then run Nginx in the foreground.
#
# The list lives on a tmpfs (/etc/nginx/upstream), so a restarted container
# always starts from `backend`, Compose's DNS name for every backend
# container, resolved when Nginx (re)loads. deploy.sh replaces the list with
# set-upstream.sh during a deploy.
set -eu
printf 'server backend:8000 max_fails=1 fail_timeout=10s;\n' >/etc/nginx/upstream/servers.conf
exec nginx -g 'daemon off;'
