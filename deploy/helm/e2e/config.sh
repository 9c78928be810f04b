# shellcheck shell=bash
# Sourced by e2e.sh: write_config writes the single-node cluster's
# certificates, kubeconfig and the configuration of containerd, the CNI
# bridge and the kubelet under $VAR.

# cert NAME SUBJECT [SUBJECT_ALT_NAMES]: a key and a certificate signed by
# the cluster's CA, valid for a day.
cert() {
    local name=$1 subj=$2 san=${3:-} ext
    ext="$(mktemp)"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
    [[ -z $san ]] || printf 'subjectAltName=%s\n' "$san" >>"$ext"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subj" \
        -keyout "$VAR/pki/$name.key" -out "$VAR/pki/$name.csr" 2>/dev/null
    openssl x509 -req -in "$VAR/pki/$name.csr" -CA "$VAR/pki/ca.crt" -CAkey "$VAR/pki/ca.key" \
        -CAcreateserial -days 1 -extfile "$ext" -out "$VAR/pki/$name.crt" 2>/dev/null
    rm -f "$ext" "$VAR/pki/$name.csr"
}

write_config() {
    local pki="$VAR/pki" token
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
        -subj /CN=agora-e2e-ca -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
    cert apiserver /CN=kube-apiserver \
        "IP:$NODE_IP,IP:10.96.0.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
    # The API server's client certificate towards the kubelet (logs, exec).
    cert kubelet-client /O=system:masters/CN=kube-apiserver-kubelet-client
    openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key" 2>/dev/null
    # Every component uses one static token in system:masters: a test
    # cluster, not the Node authorizer and per-component identities.
    token="$(openssl rand -hex 16)"
    printf '%s,agora-e2e-admin,agora-e2e-admin,"system:masters"\n' "$token" >"$pki/tokens.csv"
    chmod 600 "$pki"/*.key "$pki/tokens.csv"
    cat >"$VAR/admin.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: agora-e2e
    cluster:
      server: https://$NODE_IP:6443
      certificate-authority: $pki/ca.crt
users:
  - name: admin
    user:
      token: $token
contexts:
  - name: agora-e2e
    context: {cluster: agora-e2e, user: admin}
current-context: agora-e2e
EOF
    chmod 600 "$VAR/admin.kubeconfig"

    # containerd: everything under $VAR and $RUN, its own socket, no
    # registry (nothing is pulled: the images are imported), and
    # restrict_oom_score_adj because this sandbox lacks CAP_SYS_RESOURCE
    # (runc fails on /proc/self/oom_score_adj otherwise).
    cat >"$VAR/containerd.toml" <<EOF
version = 2
root = "$VAR/containerd"
state = "$RUN/containerd"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$VAR/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/agora-e2e/pause:$K8S_VERSION"
  restrict_oom_score_adj = true
  # The pods' network namespaces under $RUN, not /run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$VAR/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
EOF

    # Pods on a bridge with a gateway but no default route: they reach
    # other pods and (through kube-proxy's NAT on the host) Services, and
    # nothing else.
    cat >"$VAR/cni/net.d/10-agora-e2e.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "agora-e2e",
  "plugins": [{
    "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "isDefaultGateway": false,
    "ipMasq": false, "hairpinMode": true,
    "ipam": {
      "type": "host-local", "dataDir": "$VAR/cni/ipam",
      "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GW"}]],
      "routes": [{"dst": "$SERVICE_CIDR", "gw": "$POD_GW"}]
    }
  }]
}
EOF

    # The pods' resolver: their own loopback, where nothing listens, so a
    # lookup fails at once instead of leaving the machine (the host's
    # resolv.conf points at this machine's DNS server).
    printf '# make e2e-k8s: no DNS server in this cluster\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
        >"$VAR/resolv.conf"
    cat >"$VAR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$SOCK
resolvConf: $VAR/resolv.conf
podLogsDir: $VAR/pod-logs
clusterDomain: cluster.local
# A shared build machine's disk may be fuller than the defaults allow;
# never evict or collect the imported images (they cannot be pulled).
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
}
