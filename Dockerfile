# One image for every service and the gateway; each Deployment runs a different command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore::DeprecationWarning
WORKDIR /app
COPY pyproject.toml README.md ./
COPY services services
COPY gateway gateway
COPY tools tools
RUN pip install --no-cache-dir . && useradd --uid 10001 --no-create-home app
USER 10001
EXPOSE 8080
CMD ["gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.wsgi:app"]
