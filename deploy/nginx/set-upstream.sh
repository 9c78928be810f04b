#!/bin/sh
# Point Nginx's backend upstream at the given servers and reload it:
#
#   docker compose exec -T nginx sh /etc/nginx/agora/set-upstream.sh HOST[:PORT] ...
#
# A reload is graceful: new workers send to the new list at once, old workers
# finish the requests they hold (and close their keep-alive connections to
# the old servers) before they exit. If the new list fails `nginx -t`, the old
# one is put back and nothing changes.
set -eu
[ $# -gt 0 ] || { echo "set-upstream: name at least one server" >&2; exit 2; }
list=${UPSTREAM_FILE:-/etc/nginx/upstream/servers.conf}
new=$list.new
: >"$new"
for server in "$@"; do
    case $server in
        *[!A-Za-z0-9_.:-]* | "") echo "set-upstream: not a host[:port]: $server" >&2; rm -f "$new"; exit 2 ;;
    esac
    case $server in *:*) ;; *) server=$server:8000 ;; esac
    printf 'server %s max_fails=1 fail_timeout=10s;\n' "$server" >>"$new"
done
cp "$list" "$list.old"
mv -f "$new" "$list"
if ! nginx -t -q; then
    mv -f "$list.old" "$list"
    echo "set-upstream: the new list fails nginx -t; kept the old one" >&2
    exit 1
fi
nginx -s reload
