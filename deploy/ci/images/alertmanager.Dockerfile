# Stand-in for prom/alertmanager: Debian's Alertmanager 0.25, at the path the
# official image uses (/bin/alertmanager, which render.sh execs).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus-alertmanager wget \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s prometheus-alertmanager /usr/bin/alertmanager \
 && mkdir -p /alertmanager && chown nobody:nogroup /alertmanager
USER nobody
ENTRYPOINT ["/bin/alertmanager"]
