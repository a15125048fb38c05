# The Mutasi service image: the package and its console script `mutasi`.
FROM python:3.11-slim
WORKDIR /srv/mutasi
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY application ./application
COPY projections ./projections
COPY api ./api
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["mutasi", "serve", "--host", "0.0.0.0", "--port", "8000"]
