# Stand-in for prometheuscommunity/postgres-exporter: Debian's 0.11.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus-postgres-exporter wget \
 && rm -rf /var/lib/apt/lists/*
USER nobody
ENTRYPOINT ["/usr/bin/prometheus-postgres-exporter"]
