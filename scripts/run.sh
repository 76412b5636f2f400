#!/usr/bin/env bash
# Start the whole system on the embedded defaults: four services, the gateway, the demo county.
# Foreground; Ctrl-C stops everything. Environment: DATA_DIR, AMQP_URI, MONGO_URI, GATEWAY_BIND,
# DEMO_SIZE (full | small), *_METRICS_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::DeprecationWarning}
export DATA_DIR=${DATA_DIR:-$PWD/var}
export GATEWAY_BIND=${GATEWAY_BIND:-127.0.0.1:8080}
mkdir -p "$DATA_DIR/log"
secrets="$DATA_DIR/secrets.env"
if [ ! -f "$secrets" ]; then
  (umask 077; .venv/bin/python -m services.infra.secrets > "$secrets")
fi
set -a; source "$secrets"; set +a

url="http://$GATEWAY_BIND"
if curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null; then
  echo "Something already answers at $url (another \`make run\`?): stop it, or set GATEWAY_BIND" >&2
  exit 1
fi

# The supervisor (services/infra/supervise.py) restarts a process that exits, with backoff, and
# prints each restart; until it gets SIGUSR1 below, an exit is a start-up failure instead.
export PROMETHEUS_MULTIPROC_DIR="$DATA_DIR/prometheus"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
.venv/bin/python -m services.infra.supervise --log-dir "$DATA_DIR/log" --pid-dir "$DATA_DIR/run" \
  members=".venv/bin/python -m services.members" \
  scoring=".venv/bin/python -m services.scoring" \
  volunteer=".venv/bin/python -m services.volunteer" \
  notify=".venv/bin/python -m services.notify" \
  gateway=".venv/bin/gunicorn -c gateway/gunicorn.conf.py --bind $GATEWAY_BIND gateway.wsgi:app" &
supervisor=$!
stop_all() {
  trap - EXIT INT TERM
  kill -TERM "$supervisor" 2>/dev/null || true
  wait "$supervisor" 2>/dev/null || true
}
trap stop_all EXIT INT TERM

echo "Waiting for $url/readyz ..."
for _ in $(seq 1 120); do
  curl -fsS "$url/readyz" >/dev/null 2>&1 && break
  kill -0 "$supervisor" 2>/dev/null || exit 1  # a process died during start-up; it said why
  sleep 0.5
done
curl -fsS "$url/readyz" >/dev/null || { echo "the system did not become ready; see $DATA_DIR/log" >&2; exit 1; }

logins="$DATA_DIR/demo-logins.json"
.venv/bin/python -m tools.demo_county.load --size "${DEMO_SIZE:-full}" --out "$logins"
.venv/bin/python -m tools.demo_county.show "$logins" "$url"
kill -USR1 "$supervisor"  # started: from now on a process that exits is restarted
echo "READY $url (logs in $DATA_DIR/log; Ctrl-C stops)"
wait "$supervisor" || true
