# Production image: one image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=supervision.settings.production VAR_DIR=/var/lib/supervision

# WeasyPrint needs Pango; Chinese letters need CJK fonts; the HarfBuzz subsetter keeps PDF rendering fast.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-microhei \
    fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 \
    libpangoft2-1.0-0 gettext libmagic1 curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY supervision ./supervision
COPY rounds ./rounds
COPY findings ./findings
COPY rectification ./rectification
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0 \
 && python manage.py compilemessages -v0 --ignore=.venv \
 && useradd --system --home /app supervision && mkdir -p /var/lib/supervision/media \
 && chown -R supervision /var/lib/supervision
USER supervision
EXPOSE 8000
CMD ["gunicorn", "supervision.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
