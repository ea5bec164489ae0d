FROM python:3.11-slim-bookworm

# WeasyPrint needs Pango; Liberation and DejaVu carry every Vietnamese glyph for the PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      fonts-liberation2 fonts-dejavu-core libicu-dev pkg-config build-essential curl \
 && rm -rf /var/lib/apt/lists/*

# `flask backup create` runs pg_dump, which must be as new as the server (compose runs PostgreSQL 16; Debian 12
# ships the client of 15): the client of PG_MAJOR from the PostgreSQL project's own Debian repository.
ARG PG_MAJOR=16
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates gnupg \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY workflow workflow
COPY web web
COPY tasks tasks
RUN pip install --no-cache-dir . && pip install --no-cache-dir Babel
COPY . .
RUN for po in web/translations/*/LC_MESSAGES/*.po; do pybabel compile -i "$po" -o "${po%.po}.mo"; done

ENV APP_ENV=production INSTANCE_DIR=/data/instance UPLOAD_DIR=/data/uploads PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "wsgi:app"]
