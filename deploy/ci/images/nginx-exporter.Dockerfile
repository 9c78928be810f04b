# Stand-in for nginx/nginx-prometheus-exporter: Debian's 0.11 (Go's flag
# package takes the same --nginx.scrape-uri / --web.listen-address).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus-nginx-exporter \
 && rm -rf /var/lib/apt/lists/*
USER nobody
ENTRYPOINT ["/usr/bin/prometheus-nginx-exporter"]
