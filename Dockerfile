# The Mutasi image: the package and its console script `mutasi`, on the pinned dependencies
# (requirements.lock), run as an unprivileged user. docker-compose.yml builds it once and runs every
# service from it: `mutasi db init`, `serve`, `projections run`, `audit checkpoint --every`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/mutasi

# Dependencies first (their own layer, rebuilt only when the lock changes), exactly as pinned.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY pyproject.toml README.md LICENSE ./
COPY domain ./domain
COPY application ./application
COPY projections ./projections
COPY api ./api
RUN pip install --no-cache-dir --no-deps . && pip check \
    && useradd --system --uid 10001 --user-group --home-dir /srv/mutasi --shell /usr/sbin/nologin mutasi

USER 10001:10001
EXPOSE 8000
CMD ["mutasi", "serve", "--host", "0.0.0.0", "--port", "8000"]
