#!/usr/bin/env bash
# Makes sure the services the tests talk to are running on loopback:
# Redis on 127.0.0.1:6379 (shared rate limits). PostgreSQL needs nothing:
# the tests start their own throwaway clusters. Run by `make deps`.
set -euo pipefail
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  if command -v redis-server >/dev/null; then
    echo "ensure-services: starting redis-server on 127.0.0.1:6379" >&2
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && exit 0; sleep 0.1; done
    echo "ensure-services: redis-server did not come up on 127.0.0.1:6379" >&2
    exit 1
  fi
  echo "ensure-services: Redis is not running on 127.0.0.1:6379 and redis-server is not installed (apt-get install -y redis-server)" >&2
  exit 1
fi
