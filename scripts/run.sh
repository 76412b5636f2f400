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

pids=()
stop_all() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT INT TERM

for service in members scoring volunteer notify; do
  .venv/bin/python -m "services.$service" >>"$DATA_DIR/log/$service.log" 2>&1 &
  pids+=($!)
done
export PROMETHEUS_MULTIPROC_DIR="$DATA_DIR/prometheus"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
.venv/bin/gunicorn -c gateway/gunicorn.conf.py --bind "$GATEWAY_BIND" gateway.wsgi:app \
  >>"$DATA_DIR/log/gateway.log" 2>&1 &
pids+=($!)

url="http://$GATEWAY_BIND"
echo "Waiting for $url/readyz ..."
names=(members scoring volunteer notify gateway)
for _ in $(seq 1 120); do
  curl -fsS "$url/readyz" >/dev/null 2>&1 && break
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "${names[$i]} exited during start-up (a port in use? see below):" >&2
      grep -v -i eventlet "$DATA_DIR/log/${names[$i]}.log" | tail -n 5 >&2
      exit 1
    fi
  done
  sleep 0.5
done
curl -fsS "$url/readyz" >/dev/null || { echo "the system did not become ready; see $DATA_DIR/log" >&2; exit 1; }

logins="$DATA_DIR/demo-logins.json"
.venv/bin/python -m tools.demo_county.load --size "${DEMO_SIZE:-full}" --out "$logins"
.venv/bin/python -m tools.demo_county.show "$logins" "$url"
echo "READY $url (logs in $DATA_DIR/log; Ctrl-C stops)"
wait -n "${pids[@]}" || true
echo "a process exited; stopping the system" >&2
