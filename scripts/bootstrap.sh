#!/usr/bin/env bash
# Set-up shared by `make run` and `make test`: a virtual environment with the project's packages,
# and a RabbitMQ broker answering at AMQP_URI (installed from Debian's packages when none does).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Python 3.11 is required (nameko 2.14 and eventlet are pinned for it); set PYTHON=..." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[dev]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
./scripts/web.sh  # the front ends (gateway/web -> dist, served by the gateway); skipped when unchanged

export AMQP_URI=${AMQP_URI:-pyamqp://guest:guest@127.0.0.1:5672/}
broker_answers() { .venv/bin/python scripts/broker_check.py "$AMQP_URI" >/dev/null 2>&1; }
if ! broker_answers; then
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    echo "No broker at $AMQP_URI and no rabbitmq-server: installing it from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  echo "Starting RabbitMQ" >&2
  (rabbitmq-server -detached || true) 2>/dev/null
  for _ in $(seq 1 90); do broker_answers && break; sleep 1; done
  broker_answers || { echo "RabbitMQ did not come up at $AMQP_URI" >&2; exit 1; }
fi
