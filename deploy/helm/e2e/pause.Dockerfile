# The pod sandbox image of `make e2e-k8s`: Kubernetes' pause.c, compiled
# statically by scripts/install-kube-tools.sh pause (no registry serves
# registry.k8s.io/pause here).
FROM scratch
COPY pause /pause
USER 65535:65535
ENTRYPOINT ["/pause"]
