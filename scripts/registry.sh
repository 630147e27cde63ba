#!/usr/bin/env bash
# A local registry for `basebench run --registry` (docs/REGISTRY.md): Debian's
# docker-registry (distribution 2.8, installed by scripts/setup.sh) with a config of its
# own: HTTP on 127.0.0.1 only, no auth, storage under DIR. dockerd treats 127.0.0.0/8 as an
# insecure registry by default, so plain HTTP on loopback works without daemon settings.
#
#   scripts/registry.sh start [DIR]   start it (DIR default: results/registry); prints HOST:PORT
#   scripts/registry.sh stop [DIR]    stop the one started with DIR
#   scripts/registry.sh addr [DIR]    print its HOST:PORT
#
# PORT: the port to use (default 5000 if free, else a free one).
# DELETE: `false` starts it with deletion off (the tests' refusing registry); default true.
set -euo pipefail
cmd=${1:-}
dir=${2:-$(cd "$(dirname "$0")/.." && pwd)/results/registry}
pidfile=$dir/registry.pid
addrfile=$dir/registry.addr

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
  start)
    if ! command -v docker-registry >/dev/null 2>&1; then
      echo "registry: docker-registry is not installed; run scripts/setup.sh (it installs Debian's docker-registry)" >&2
      exit 1
    fi
    mkdir -p "$dir/storage"
    if running; then cat "$addrfile"; exit 0; fi
    port=${PORT:-}
    if [ -z "$port" ]; then
      if port_free 5000; then port=5000; else
        port=$(( 20000 + RANDOM % 20000 ))
        while ! port_free "$port"; do port=$(( 20000 + RANDOM % 20000 )); done
      fi
    fi
    cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: ${DELETE:-true}
http:
  addr: 127.0.0.1:$port
YAML
    setsid nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    echo "127.0.0.1:$port" >"$addrfile"
    for _ in $(seq 1 100); do
      if curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; then
        echo "127.0.0.1:$port"
        exit 0
      fi
      running || break
      sleep 0.1
    done
    echo "registry: did not answer on 127.0.0.1:$port/v2/; log $dir/registry.log:" >&2
    tail -n 20 "$dir/registry.log" >&2 || true
    running && kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile" "$addrfile"
    exit 1
    ;;
  stop)
    if running; then
      pid=$(cat "$pidfile")
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$pidfile" "$addrfile"
    ;;
  addr)
    running && cat "$addrfile" || { echo "registry: not running (dir $dir)" >&2; exit 1; }
    ;;
  *)
    echo "usage: scripts/registry.sh start|stop|addr [DIR]" >&2
    exit 2
    ;;
esac
