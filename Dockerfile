# The production image: gunicorn web, Celery worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 STATIC_ROOT=/static
WORKDIR /app
RUN useradd --create-home --uid 1000 app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Collected as production collects them (hashed names and the manifest, DEBUG=0) with a throw-away key.
RUN DEBUG=0 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /data/media /data/private && chown -R app:app /data /app /static
USER app
EXPOSE 8000
# Worker class, threads and timeouts: gunicorn.conf.py (read from the working folder).
CMD ["gunicorn", "hackplatform.wsgi", "--bind", "0.0.0.0:8000"]
