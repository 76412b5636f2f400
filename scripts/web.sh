#!/usr/bin/env bash
# The front ends (gateway/web -> gateway/web/dist, served by the gateway):
#   scripts/web.sh [build]         npm ci when package-lock.json changed, then the build (vite)
#                                  when the sources changed (bootstrap.sh: `make run`, `make test`)
#   scripts/web.sh typecheck       the same, then the type check (vue-tsc) when the sources changed
#                                  (`make test`, beside mypy: a type error fails the tests, and does
#                                  not keep `make run` from starting, as with the Python code)
#   scripts/web.sh browser-deps    Debian's chromium and a CJK font for tests/browser (apt-get)
# Each step is skipped when its inputs hash to the stamp it left last time, so a second run
# costs a second. Needs Node.js >= 20.19 and npm (on the project's machine image).
set -euo pipefail
cd "$(dirname "$0")/.."
web=gateway/web

browser_deps() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "web: installing ${missing[*]} from Debian's packages (browser tests)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# sha1 of the named files' paths and contents (sorted, so the order of `find` does not matter)
hash_of() {
  (cd "$web" && "$@" -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
}

# npm ci when the lock changed, then `npm run <script>` when the sources changed since it last
# passed (its stamp: $2); one at a time (`make run` and `make test` may start together)
run_when_changed() {
  local script=$1 stamp=$2
  command -v npm >/dev/null || { echo "web: npm is needed (Node.js >= 20.19)" >&2; exit 1; }
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
           process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
    { echo "web: Node.js >= 20.19 is needed, found $(node --version)" >&2; exit 1; }
  exec 9>"$web/.build.lock"
  flock 9

  local lock_hash lock_stamp="$web/node_modules/.dangjian-lock-sha1"
  lock_hash=$(hash_of find package.json package-lock.json .npmrc)
  if [ "$(cat "$lock_stamp" 2>/dev/null)" != "$lock_hash" ]; then
    echo "web: npm ci" >&2
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" >"$lock_stamp"
  fi

  # the sources: everything but the installs, the build and the files the build generates
  local src_hash
  src_hash=$(hash_of find . -type f -not -path './node_modules/*' -not -path './dist/*' \
    -not -path './src/types/*' -not -name '.build.lock')
  if [ "$(cat "$stamp" 2>/dev/null)" == "$src_hash" ]; then
    return 0
  fi
  echo "web: npm run $script" >&2
  local log
  log=$(mktemp)
  if ! (cd "$web" && npm run --silent "$script") >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "web: npm run $script failed" >&2
    exit 1
  fi
  rm -f "$log"
  mkdir -p "$(dirname "$stamp")"
  echo "$src_hash" >"$stamp"
}

build() {
  # (dist/ is emptied by each build, its stamp with it)
  run_when_changed build "$web/dist/.build-sha1"
}

typecheck() {
  build # the build writes src/types/*.d.ts (the components imported on demand)
  run_when_changed typecheck "$web/node_modules/.dangjian-typecheck-sha1"
}

case "${1:-build}" in
  build) build ;;
  typecheck) typecheck ;;
  browser-deps) browser_deps ;;
  *) echo "usage: scripts/web.sh [build | typecheck | browser-deps]" >&2; exit 2 ;;
esac
