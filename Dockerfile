# sendreview: one image for the web, worker and beat services of docker-compose.yml.
#   docker build -t sendreview .
# Production mode (DEBUG=false): give it SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=false \
    MEDIA_ROOT=/app/media

# The libraries and fonts WeasyPrint needs to turn reports into PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
        libglib2.0-0 shared-mime-info fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 sendreview \
    && useradd --system --uid 10001 --gid sendreview --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin sendreview

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when the lock changes. Exactly the versions
# the tests ran (requirements/lock.txt, made by `python3 dev.py lock`), each file checked against its
# hash. The project itself is not installed: it declares no packages, its code runs from /app.
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --require-hashes --no-deps -r requirements/lock.txt

COPY . .

# Static files collected and compressed at build time. The key below exists only for this command.
RUN DEBUG=false ALLOWED_HOSTS='*' \
        SECRET_KEY=build-time-only-collectstatic-placeholder-not-used-at-run-time-0123456789 \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown sendreview:sendreview /app/media

# The code stays owned by root and read-only to the service; only media/ is writable.
USER sendreview

EXPOSE 8000
CMD ["gunicorn", "sendreview.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
