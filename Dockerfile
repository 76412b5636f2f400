# One image for every service and the gateway; each Deployment runs a different command.
# The gateway serves the front ends from it (gateway/static.py): they are built in a Node stage
# the way scripts/web.sh builds them, and only their dist/ is copied into the Python image.

# -- the front ends (gateway/web -> dist) ------------------------------------------------------
# Node 20 (package.json asks >= 20.19, enforced by .npmrc's engine-strict); Debian (glibc), so
# npm ci installs the same native bindings of Vite's bundler as on the project's machines
FROM node:20-bookworm-slim AS web
WORKDIR /src/gateway/web
# scripts/web.sh build: npm ci (only when the lock changed: here, this layer's cache), then the
# build (vite, into dist/)
COPY gateway/web/package.json gateway/web/package-lock.json gateway/web/.npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY gateway/web/ ./
RUN npm run --silent build

# -- the services and the gateway ----------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore::DeprecationWarning
WORKDIR /app
COPY pyproject.toml README.md ./
COPY services services
COPY gateway gateway
COPY tools tools
RUN pip install --no-cache-dir . && useradd --uid 10001 --no-create-home app
# the built pages, named explicitly: the gateway serves them whichever copy of the package
# (/app or site-packages) it was imported from
COPY --from=web /src/gateway/web/dist gateway/web/dist
ENV WEB_DIST_DIR=/app/gateway/web/dist
USER 10001
EXPOSE 8080
CMD ["gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.wsgi:app"]
