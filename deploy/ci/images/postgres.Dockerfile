# Stand-in for postgres:16.10-alpine in the CI stack: Debian's PostgreSQL 15
# with an entrypoint that does what the official image's does on first start
# (POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, scram auth over the
# network) and then runs the `postgres -c ...` command Compose gives it.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER postgres
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
