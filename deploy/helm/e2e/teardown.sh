# shellcheck shell=bash
# Sourced by e2e.sh: save_sysctls before the run changes them; teardown
# removes what a run made (also a half-made or killed run), each step safe
# to repeat: the pods through the API while it answers, the processes by
# the PIDs in $RUN, leftover containers through containerd, iptables
# chains, mounts (the pods' network namespaces among them), cgroups,
# interfaces, the saved sysctls, the state folders.

SYSCTL_SAVE="$RUN.sysctls"
# Made before the run's first change to the host: only then are the KUBE-*
# chains a run's own to remove (another cluster's kube-proxy has the same
# chain names). A run killed before this version made it has AGORA-E2E.
HOST_CHANGED="$RUN/host-changed"
CGROUP_FS=/sys/fs/cgroup

save_sysctls() {
    [[ -e $SYSCTL_SAVE ]] && return # a killed run's originals win
    local s v
    for s in "${SYSCTLS[@]}"; do
        v="$(sysctl -n "$s" 2>/dev/null)" && printf '%s=%s\n' "$s" "$v"
    done >"$SYSCTL_SAVE.tmp"
    mv "$SYSCTL_SAVE.tmp" "$SYSCTL_SAVE"
}

# stop_pid NAME: SIGTERM the process in $RUN/NAME.pid if it is still the
# one started (its command line names NAME's binary and $VAR: every
# component's configuration is there), SIGKILL after 15 s.
stop_pid() {
    local file="$RUN/$1.pid" pid cmdline
    [[ -f $file ]] || return 0
    pid="$(cat "$file")"
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || cmdline=
    if [[ $pid =~ ^[0-9]+$ && $cmdline == *"$1"* && $cmdline == *"$VAR/"* ]]; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 30); do [[ -e /proc/$pid ]] || break; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

# remove_chains CMD RE: every chain of CMD (iptables, ip6tables) whose
# whole name matches the extended regular expression RE, with the rules
# that jump to them from the built-in chains.
remove_chains() {
    local cmd=$1 re=$2 table rule chain
    command -v "$cmd" >/dev/null || return 0
    for table in filter nat mangle; do
        "$cmd" -t "$table" -S 2>/dev/null | grep -E "^-A [A-Z]+ .*-j ($re)( |$)" |
            while read -r rule; do
                # xargs splits the rule as iptables quoted it (comments).
                xargs "$cmd" -t "$table" -D <<<"${rule#-A }" 2>/dev/null || true
            done
        for chain in $("$cmd" -t "$table" -S 2>/dev/null | sed -nE "s/^-N ($re)$/\1/p"); do
            "$cmd" -t "$table" -F "$chain" 2>/dev/null || true
        done
        for chain in $("$cmd" -t "$table" -S 2>/dev/null | sed -nE "s/^-N ($re)$/\1/p"); do
            "$cmd" -t "$table" -X "$chain" 2>/dev/null || true
        done
    done
}

teardown() {
    # Best effort, step by step: a step that finds nothing to remove (or
    # fails) must not stop the ones after it.
    local -
    set +e
    local kcfg="$VAR/admin.kubeconfig" kubectl_bin="$RUN/kubectl" c d pid left chains
    # Pods first, while the kubelet runs: it stops them through CRI, which
    # releases their addresses and network namespaces (CNI DEL).
    if [[ -f $kcfg && -x $kubectl_bin ]] && "$kubectl_bin" --kubeconfig "$kcfg" --request-timeout=3s get --raw /readyz >/dev/null 2>&1; then
        "$kubectl_bin" --kubeconfig "$kcfg" delete namespace "$NS" --ignore-not-found --timeout=90s >/dev/null 2>&1 ||
            log "teardown: namespace $NS not gone after 90 s; removing its containers directly"
    fi
    for c in kube-proxy kubelet kube-scheduler kube-controller-manager; do stop_pid "$c"; done
    # Whatever is left runs under containerd: kill and delete it there. The
    # network namespaces its sandboxes had are mounts under $RUN
    # (netns_mounts_under_state_dir), unmounted with the others below.
    if [[ -S $SOCK ]] && ctr --address "$SOCK" version >/dev/null 2>&1; then
        for c in $(ctr --address "$SOCK" -n k8s.io tasks ls -q 2>/dev/null); do
            ctr --address "$SOCK" -n k8s.io tasks kill -s SIGKILL "$c" >/dev/null 2>&1 || true
            ctr --address "$SOCK" -n k8s.io tasks delete -f "$c" >/dev/null 2>&1 || true
        done
        for c in $(ctr --address "$SOCK" -n k8s.io containers ls -q 2>/dev/null); do
            ctr --address "$SOCK" -n k8s.io containers delete "$c" >/dev/null 2>&1 || true
        done
    fi
    stop_pid containerd
    # Shims outlive containerd; ours name its socket.
    for pid in $(pgrep -x containerd-shim-runc-v2 2>/dev/null || true); do
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-address $SOCK " && kill -KILL "$pid" 2>/dev/null
    done
    for c in kube-apiserver etcd; do stop_pid "$c"; done

    chains="$CHAIN"
    if [[ -e $HOST_CHANGED ]] || iptables -S "$CHAIN" >/dev/null 2>&1; then chains="KUBE-[A-Z0-9-]+|$CHAIN"; fi
    remove_chains iptables "$chains"
    remove_chains ip6tables "$chains"
    findmnt -rn -o TARGET | grep -E "^($VAR|$RUN)(/|$)" | sort -r | while read -r d; do
        umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null || log "teardown: cannot unmount $d"
    done
    for d in "$CGROUP_FS/$CGROUP" "$CGROUP_FS"/*/"$CGROUP"; do # v2, v1
        [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
        [[ -d $d ]] && log "teardown: cgroup $d still has processes: $(find "$d" -name cgroup.procs -exec cat {} + | tr '\n' ' ')"
    done
    ip link del "$BRIDGE" 2>/dev/null || true
    ip link del "$VETH" 2>/dev/null || true
    ip netns del "$NETNS" 2>/dev/null || true
    if [[ -f $SYSCTL_SAVE ]]; then
        sysctl -q -p "$SYSCTL_SAVE" >/dev/null 2>&1 || log "teardown: could not restore every sysctl of $SYSCTL_SAVE"
        rm -f "$SYSCTL_SAVE"
    fi
    left="$(findmnt -rn -o TARGET | grep -E "^($VAR|$RUN)(/|$)" || true)"
    if [[ -n $left ]]; then
        log "teardown: still mounted, not removing $VAR and $RUN: $left"
        return 1
    fi
    rm -rf --one-file-system "$VAR" "$RUN"
}
