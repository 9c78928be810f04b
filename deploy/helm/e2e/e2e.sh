#!/usr/bin/env bash
# `make e2e-k8s`: a single-node Kubernetes v1.37.2 on this machine, the
# chart installed on it, the README's walk-through run against its Service,
# and everything torn down again (also on failure, and leftovers of a killed
# run at the start). Not part of `make test`: it needs root, changes
# sysctls (restored) and adds iptables chains (removed).
#
#   deploy/helm/e2e/e2e.sh              the whole run
#   deploy/helm/e2e/e2e.sh --teardown   only remove what a killed run left
#
# Pieces: Debian's etcd and containerd (CRI, restrict_oom_score_adj) with
# runc and the CNI bridge plugin; kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy, kubectl and the pause binary built
# from the Go module proxy by scripts/install-kube-tools.sh; images built
# offline by deploy/ci/build-images.sh, moved with docker save and
# `ctr images import`; helm from tools/go.mod. Addresses, all local:
#   10.250.250.1  the node (on a veth whose peer is in the
#                network namespace agora-e2e, 10.250.250.2: the client)
#   10.244.0.0/24  pods, bridge agora-cni0; pods have no default route
#   10.96.0.0/16   Services, kube-proxy in iptables mode
# No DNS server runs: the kubelet gives pods a resolv.conf of its own that
# points at the pod's loopback, the database URL uses a fixed ClusterIP, and
# a FORWARD chain drops whatever a pod sends anywhere but another pod or the
# client namespace. Details and figures: deploy/helm/README.md.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

usage="usage: e2e.sh [--teardown]"
mode=run
case "$#:${1:-}" in
0:) ;;
1:--teardown) mode=teardown ;;
1:-h | 1:--help) echo "$usage"; exit 0 ;;
*) echo "e2e.sh: unexpected arguments: $*; $usage" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
K8S_VERSION=v1.37.2 # = scripts/install-kube-tools.sh
NODE_IP=10.250.250.1 CLIENT_IP=10.250.250.2 NETNS=agora-e2e VETH=agora-e2e0
BRIDGE=agora-cni0 POD_CIDR=10.244.0.0/24 POD_GW=10.244.0.1 SERVICE_CIDR=10.96.0.0/16
NODE=agora-e2e NS=agora-e2e CGROUP=agora-e2e CHAIN=AGORA-E2E
VAR=/var/lib/agora-e2e RUN=/run/agora-e2e
SOCK="$RUN/containerd.sock"
# Tunables the kubelet and kube-proxy set; saved first, restored at the end.
SYSCTLS=(net.ipv4.ip_forward net.ipv4.conf.all.route_localnet vm.overcommit_memory vm.panic_on_oom
    kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes
    net.bridge.bridge-nf-call-iptables)

log() { printf 'e2e-k8s %s %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
[[ $(id -u) -eq 0 ]] || die "must run as root (it starts a kubelet and containerd, adds interfaces and iptables chains)"
mkdir -p "$RUN"
exec 9>"$RUN.lock"
flock -n 9 || die "another e2e-k8s run holds $RUN.lock"

source "$here/teardown.sh"
source "$here/config.sh"
if [[ $mode == teardown ]]; then
    teardown
    exit 0
fi

t_start=$SECONDS
LOGS="/var/tmp/agora-e2e-logs/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$LOGS"
on_exit() {
    local rc=$?
    set +e
    # A second Ctrl-C (or TERM) must not end the shell halfway through the
    # teardown: it only cuts short the step running (that step's child gets
    # the signal), and the steps after it still run.
    trap 'log "teardown goes on (kill -9 leaves the rest to e2e.sh --teardown)"' INT TERM HUP
    if [[ $rc -ne 0 ]]; then
        # The network as it was, for the post-mortem.
        { iptables-save -c; ip addr; ip route; ip -n "$NETNS" addr; ip -n "$NETNS" route; conntrack -L; } \
            >"$LOGS/network.txt" 2>&1
        log "failed (exit $rc); the ends of the logs in $LOGS:"
        for f in "$LOGS"/*.log; do
            [[ -s $f ]] && { printf '\n--- %s\n' "$f" >&2; tail -n 8 "$f" >&2; }
        done
        [[ -x $RUN/kubectl ]] && "$RUN/kubectl" --kubeconfig "$VAR/admin.kubeconfig" --request-timeout=5s \
            get nodes,pods,jobs,events -A -o wide >&2 2>/dev/null
    fi
    t0=$SECONDS
    teardown
    log "teardown took $((SECONDS - t0)) s; logs kept in $LOGS"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

log "removing leftovers of an earlier run"
teardown
mkdir -p "$RUN"

# 1. Tools and images.
for tool in etcd containerd containerd-shim-runc-v2 runc ctr iptables openssl curl jq docker go gcc; do
    command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs scripts/apt-packages.txt)"
done
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local ]] ||
    die "the CNI plugins are not installed (Debian package containernetworking-plugins, in scripts/apt-packages.txt)"
t0=$SECONDS
mapfile -t bins < <(nice -n 10 "$repo/scripts/install-kube-tools.sh" kube-apiserver kube-controller-manager \
    kube-scheduler kubelet kube-proxy kubectl pause)
ln -sf "${bins[5]}" "$RUN/kubectl"
(cd "$repo" && go build -modfile=tools/go.mod -o "$RUN/helm" helm.sh/helm/v3/cmd/helm)
log "Kubernetes binaries and helm ready in $((SECONDS - t0)) s"
t0=$SECONDS
# It may start a dockerd that outlives the run: not with the run's lock.
"$repo/scripts/ensure-docker.sh" 9>&-
# The image tags are shared with `make test-stack`: build under its lock so
# a stack run never meets an image retagged in the middle of it.
flock -o /tmp/agora-stack-test.lock nice -n 10 "$repo/deploy/ci/build-images.sh" e2e
mkdir "$RUN/pause"
cp "${bins[6]}" "$RUN/pause/pause"
DOCKER_BUILDKIT=0 docker build --quiet --network none -f "$here/pause.Dockerfile" \
    -t "agora-e2e/pause:$K8S_VERSION" "$RUN/pause" >"$LOGS/pause-image.log" 2>&1 ||
    die "pause image: $(cat "$LOGS/pause-image.log")"
docker save -o "$RUN/images.tar" agora-ci/agora:e2e agora-ci/postgres:ci "agora-e2e/pause:$K8S_VERSION"
log "images built and saved in $((SECONDS - t0)) s ($(du -m "$RUN/images.tar" | cut -f1) MB)"
t_built=$SECONDS

# 2. Host: the node address, the pod bridge's firewall, the tunables. The
# ranges must be free here: an address of the machine's own network taken
# over by the run (its gateway, say) would cut the machine off meanwhile.
for net in "${NODE_IP%.*}.0/30" "$POD_CIDR" "$SERVICE_CIDR"; do
    [[ -z "$(ip -4 route show root "$net")" ]] || die "$net is in use on this machine: $(ip -4 route show root "$net")"
done
for a in "$NODE_IP" "$CLIENT_IP" "$POD_GW" 10.96.0.1; do
    if ip -4 route show match "$a" | grep -qv '^default ' || ip -4 route show default | grep -q "via $a "; then
        die "$a is in a network of this machine already: $(ip -4 route show match "$a")"
    fi
done
# kube-proxy's and the kubelet's chains have fixed names: another cluster's
# would be taken over by this run and removed by its teardown.
for cmd in iptables ip6tables; do
    for table in filter nat mangle; do
        if "$cmd" -t "$table" -S 2>/dev/null | grep -q '^-N KUBE-'; then
            die "$cmd table $table has KUBE-* chains: another Kubernetes node runs here (or a run older than this script's teardown left them)"
        fi
    done
done
touch "$HOST_CHANGED"
save_sysctls
ip netns add "$NETNS"
ip link add "$VETH" type veth peer name "$VETH-c" netns "$NETNS"
ip addr add "$NODE_IP/30" dev "$VETH"
ip link set "$VETH" up
ip -n "$NETNS" addr add "$CLIENT_IP/30" dev "$VETH-c"
ip -n "$NETNS" link set "$VETH-c" up
ip -n "$NETNS" link set lo up
sysctl -qw net.ipv4.ip_forward=1
iptables -N "$CHAIN"
iptables -A "$CHAIN" -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
iptables -A "$CHAIN" -i "$BRIDGE" -o "$VETH" -j ACCEPT
iptables -A "$CHAIN" -i "$VETH" -o "$BRIDGE" -j ACCEPT
iptables -A "$CHAIN" -i "$BRIDGE" -j DROP
iptables -A "$CHAIN" -o "$BRIDGE" -j DROP
iptables -A "$CHAIN" -i "$VETH" -j DROP
iptables -A "$CHAIN" -o "$VETH" -j DROP
iptables -I FORWARD 1 -j "$CHAIN"
if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then # cgroup v2: one tree, the kubelet's root at its top
    mkdir -p "/sys/fs/cgroup/$CGROUP"
else # v1: a hierarchy per controller (its child folders are cgroups too, not hierarchies)
    for d in /sys/fs/cgroup/*/; do
        [[ -e $d/cgroup.procs ]] && mkdir -p "$d$CGROUP"
    done
fi
if [[ -d /sys/fs/cgroup/cpuset/$CGROUP ]]; then # cgroup v1: a new cpuset starts empty
    cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$CGROUP/cpuset.cpus"
    cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$CGROUP/cpuset.mems"
fi

# 3. Configuration: certificates, kubeconfig, containerd, CNI, kubelet.
mkdir -p "$VAR/pki" "$VAR/cni/net.d"
chmod 700 "$VAR/pki" # keys and the admin token are written, then chmod 600
write_config

# 4. The control plane and the node.
start() { # start NAME BIN ARGS...: in its own session, PID in $RUN/NAME.pid
    local name=$1
    shift
    # Without the lock's descriptor: a component still running after the
    # script was killed must not hold the lock that `--teardown` takes.
    setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
    echo $! >"$RUN/$name.pid"
}
wait_until() { # wait_until SECONDS WHAT COMMAND...
    local limit=$1 what=$2
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "$what: not ready after $limit s"
        sleep 0.5
    done
}
kubectl() { "$RUN/kubectl" --kubeconfig "$VAR/admin.kubeconfig" "$@"; }
t0=$SECONDS
start etcd etcd --name "$NODE" --data-dir "$VAR/etcd" --logger zap --log-level warn \
    --listen-client-urls "http://$NODE_IP:2379" --advertise-client-urls "http://$NODE_IP:2379" \
    --listen-peer-urls "http://$NODE_IP:2380" --initial-advertise-peer-urls "http://$NODE_IP:2380" \
    --initial-cluster "$NODE=http://$NODE_IP:2380"
wait_until 30 etcd curl -fsS "http://$NODE_IP:2379/health"
start kube-apiserver "${bins[0]}" --etcd-servers "http://$NODE_IP:2379" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port 6443 \
    --tls-cert-file "$VAR/pki/apiserver.crt" --tls-private-key-file "$VAR/pki/apiserver.key" \
    --client-ca-file "$VAR/pki/ca.crt" --token-auth-file "$VAR/pki/tokens.csv" --authorization-mode RBAC \
    --kubelet-client-certificate "$VAR/pki/kubelet-client.crt" --kubelet-client-key "$VAR/pki/kubelet-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$VAR/pki/sa.key" --service-account-signing-key-file "$VAR/pki/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --cert-dir "$VAR/pki/apiserver"
wait_until 90 kube-apiserver kubectl get --raw /readyz
common=(--kubeconfig "$VAR/admin.kubeconfig" --bind-address "$NODE_IP" --leader-elect=false)
start kube-controller-manager "${bins[1]}" "${common[@]}" --cert-dir "$VAR/pki/kcm" \
    --service-account-private-key-file "$VAR/pki/sa.key" --root-ca-file "$VAR/pki/ca.crt" \
    --use-service-account-credentials=false
start kube-scheduler "${bins[2]}" "${common[@]}" --cert-dir "$VAR/pki/sched"
start containerd containerd --config "$VAR/containerd.toml"
wait_until 30 containerd ctr --address "$SOCK" version
ctr --address "$SOCK" -n k8s.io images import "$RUN/images.tar" >"$LOGS/ctr-import.log"
start kubelet "${bins[3]}" --config "$VAR/kubelet.yaml" --kubeconfig "$VAR/admin.kubeconfig" \
    --root-dir "$VAR/kubelet" --hostname-override "$NODE" --node-ip "$NODE_IP"
start kube-proxy "${bins[4]}" --kubeconfig "$VAR/admin.kubeconfig" --proxy-mode iptables \
    --hostname-override "$NODE" --nodeport-addresses "$NODE_IP/32" --masquerade-all \
    --healthz-bind-address "$NODE_IP:10256" --metrics-bind-address 127.0.0.1:10249 \
    --conntrack-max-per-core 0 --conntrack-min 0 \
    --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0
wait_until 120 "node $NODE Ready" kubectl wait --for=condition=Ready "node/$NODE" --timeout=2s
t_node=$((SECONDS - t0))
log "control plane and node Ready in $t_node s"

# 5. PostgreSQL, then the chart: the migration hook Job, the backend Ready.
t0=$SECONDS
kubectl create namespace "$NS" >/dev/null
pw="$(openssl rand -hex 16)"
kubectl -n "$NS" create secret generic agora-e2e-db --from-literal "password=$pw" \
    --from-literal "uri=postgres://agora:$pw@10.96.0.20:5432/agora?sslmode=disable" >/dev/null
# The signing key is for root's eyes only (umask 022 made it 0644), and
# only until the Secret holds it.
(umask 077 && docker run --rm --network none agora-ci/agora:e2e keygen >"$VAR/jwt.pem")
kubectl -n "$NS" create secret generic agora-jwt --from-file "jwt_private_key.pem=$VAR/jwt.pem" >/dev/null
rm -f "$VAR/jwt.pem"
kubectl -n "$NS" apply -f "$here/postgres.yaml" >/dev/null
kubectl -n "$NS" rollout status deployment/postgres --timeout=180s >/dev/null
t_pg=$((SECONDS - t0))
log "PostgreSQL Ready in $t_pg s"
t0=$SECONDS
HELM_CACHE_HOME="$RUN/helm-home" HELM_CONFIG_HOME="$RUN/helm-home" HELM_DATA_HOME="$RUN/helm-home" \
    "$RUN/helm" install agora "$repo/deploy/helm/agora" --kubeconfig "$VAR/admin.kubeconfig" \
    --namespace "$NS" --values "$here/values.yaml" \
    --set "config.publicBaseURL=http://$NODE_IP,config.jwtIssuer=http://$NODE_IP" \
    --wait --timeout 10m --debug >"$LOGS/helm.log" 2>&1 ||
    die "helm install: $(grep -m 1 '^Error:' "$LOGS/helm.log" || tail -n 5 "$LOGS/helm.log")"
kubectl -n "$NS" rollout status deployment/agora --timeout=60s >/dev/null
t_chart=$((SECONDS - t0))
# The hook Job is deleted once it succeeded (hook-delete-policy); the Job
# controller's event stays.
kubectl -n "$NS" get events -o name \
    --field-selector involvedObject.kind=Job,involvedObject.name=agora-migrate,reason=Completed | grep -q . ||
    die "the migration hook Job did not complete (no Completed event for Job agora-migrate)"
log "chart installed (migration hook Job completed, backend Ready) in $t_chart s"

# 6. The walk-through from the client namespace, through the node address.
port="$(kubectl -n "$NS" get service agora -o 'jsonpath={.spec.ports[?(@.name=="http")].nodePort}')"
t0=$SECONDS
# kube-proxy programs the NodePort shortly after the endpoints appear.
wait_until 30 "NodePort $port" ip netns exec "$NETNS" curl -fsS -m 2 -o /dev/null "http://$NODE_IP:$port/api/v1/openapi.yaml"
ip netns exec "$NETNS" "$repo/docs/walkthrough.sh" "http://$NODE_IP:$port" >"$LOGS/walkthrough.log" 2>&1 ||
    die "walk-through against http://$NODE_IP:$port: $(tail -n 5 "$LOGS/walkthrough.log")"
t_walk=$((SECONDS - t0))
log "walk-through passed against the Service at http://$NODE_IP:$port (NodePort) in $t_walk s"

# 7. No way out for the pods. Looked at from the host, in the database
# pod's own namespaces (its container's process found through containerd):
# its resolv.conf is the kubelet's, it has no default route, and a
# connection to an outside address fails at once.
cid="$(kubectl -n "$NS" get pods -l app.kubernetes.io/name=postgres \
    -o 'jsonpath={.items[0].status.containerStatuses[0].containerID}')"
pid="$(ctr --address "$SOCK" -n k8s.io tasks ls | awk -v id="${cid#containerd://}" '$1 == id { print $2 }')"
[[ -n $pid ]] || die "no process for the PostgreSQL container $cid"
# The kubelet rewrites the file (comments go): compare what a lookup uses.
[[ "$(grep -E '^(nameserver|search|domain)' "/proc/$pid/root/etc/resolv.conf")" == "nameserver 127.0.0.1" ]] ||
    die "the pod's resolver is not the kubelet's own: $(cat "/proc/$pid/root/etc/resolv.conf")"
! nsenter -t "$pid" -n ip -4 route | grep -q '^default' || die "a pod has a default route"
out="$(nsenter -t "$pid" -n bash -c 'exec 3<>/dev/tcp/1.1.1.1/53' 2>&1)" && die "a pod reached 1.1.1.1:53"
[[ $out == *"Network is unreachable"* ]] || die "a pod's connection to 1.1.1.1:53 failed otherwise than unreachable: $out"
dropped="$(iptables -L "$CHAIN" -v -x -n | awk '$3 == "DROP" { n += $1 } END { print n + 0 }')"
log "pods: resolv.conf is the kubelet's own, no default route, outside unreachable; $dropped packets dropped by $CHAIN"

# 8. Figures, then the trap tears everything down.
{
    printf 'build (tools and images): %d s\n' "$((t_built - t_start))"
    printf 'control plane + node Ready: %d s\n' "$t_node"
    printf 'PostgreSQL Ready: %d s\n' "$t_pg"
    printf 'helm install (hook Job + backend Ready): %d s\n' "$t_chart"
    printf 'walk-through: %d s\n' "$t_walk"
    printf 'up to here: %d s\n' "$((SECONDS - t_start))"
    for c in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy; do
        pid="$(cat "$RUN/$c.pid")"
        printf '%s peak RSS: %s\n' "$c" "$(awk '/^VmHWM/ { print $2, $3 }' "/proc/$pid/status")"
    done
    for f in /sys/fs/cgroup/memory/$CGROUP/memory.max_usage_in_bytes /sys/fs/cgroup/$CGROUP/memory.peak; do
        if [[ -r $f ]]; then printf 'pods together, peak memory: %d MB\n' "$(($(cat "$f") / 1048576))"; fi
    done
} | tee "$LOGS/figures.txt" >&2
log "passed; tearing down"
