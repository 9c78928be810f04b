# Stand-in for prom/blackbox-exporter: Debian's 0.23, with wget for the
# health check and the system trust store the probe verifies against.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus-blackbox-exporter wget ca-certificates \
 && rm -rf /var/lib/apt/lists/*
USER nobody
ENTRYPOINT ["/usr/bin/prometheus-blackbox-exporter"]
