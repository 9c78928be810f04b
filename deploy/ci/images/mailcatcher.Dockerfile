# A test-only SMTP server that prints every message it receives to stdout
# (aiosmtpd's debugging handler), so the stack test reads alert e-mail with
# `docker compose logs mailcatcher`.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-aiosmtpd \
 && rm -rf /var/lib/apt/lists/*
USER nobody
ENV PYTHONUNBUFFERED=1
EXPOSE 1025
CMD ["python3", "-m", "aiosmtpd", "--nosetuid", "--debug", "--listen", "0.0.0.0:1025", "--class", "aiosmtpd.handlers.Debugging", "stdout"]
