#!/usr/bin/env bash
# Run every check: lint, types, and the tests on the real broker and the embedded store.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

# nameko's rabbit_config fixture makes a vhost per test through RabbitMQ's management API.
export RABBIT_CTL_URI=${RABBIT_CTL_URI:-http://guest:guest@127.0.0.1:15672}
if ! curl -fsS -o /dev/null "$RABBIT_CTL_URI/api/overview"; then
  rabbitmq-plugins enable rabbitmq_management >/dev/null
  for _ in $(seq 1 60); do curl -fsS -o /dev/null "$RABBIT_CTL_URI/api/overview" && break; sleep 1; done
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy services gateway tools
./scripts/web.sh typecheck  # the front ends' types (vue-tsc)
(cd gateway/web && npx --no-install vitest run)  # the front ends' unit tests
.venv/bin/python -m pytest --ignore tests/browser --rabbit-ctl-uri "$RABBIT_CTL_URI" --amqp-uri "$AMQP_URI" "$@"
# the pages in Chromium: a process of their own (Playwright's asyncio does not run under eventlet)
./scripts/web.sh browser-deps && .venv/bin/python -m pytest --confcutdir tests/browser tests/browser \
  --rabbit-ctl-uri "$RABBIT_CTL_URI" --amqp-uri "$AMQP_URI"  # the `system` fixture's broker
