# Production image: gunicorn for web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=csu.settings.production \
    PIP_NO_CACHE_DIR=1

# Pango and a font for WeasyPrint, which renders briefs as PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /app csu
WORKDIR /app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY --chown=csu:csu . .
# collectstatic needs settings but no secrets of value: use throwaway ones for this step only.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build/build \
    REDIS_URL=redis://build:6379/0 python manage.py collectstatic --noinput

USER csu
EXPOSE 8000
CMD ["gunicorn", "csu.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
