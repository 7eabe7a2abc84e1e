#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests.
#
#   pg-test-cluster.sh start DIR   initdb (first time) and start on a free port; writes DIR/conninfo
#   pg-test-cluster.sh stop DIR    stop it (does nothing when it is not running)
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user (the data
# then lives in DIR, or in a /tmp directory when `postgres` cannot reach DIR). Durability is off
# (fsync=off): the cluster only ever holds test data. Trust authentication, 127.0.0.1 and a unix
# socket inside the data area; nothing listens on other interfaces.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)

bindir=${PG_BINDIR:-}
if [[ -z $bindir ]]; then
  for candidate in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [[ -x $candidate/pg_ctl ]]; then
      bindir=$candidate
      break
    fi
  done
fi
if [[ -z $bindir ]] && command -v pg_ctl >/dev/null; then
  bindir=$(dirname "$(command -v pg_ctl)")
fi
[[ -n $bindir ]] || {
  echo "pg-test-cluster: PostgreSQL server binaries not found (set PG_BINDIR)" >&2
  exit 1
}

if [[ $(id -u) -eq 0 ]]; then
  pg_user=postgres
  as_pg() { runuser -u "$pg_user" -- "$@"; }
else
  pg_user=$(id -un)
  as_pg() { "$@"; }
fi

# Where the cluster lives: DIR/cluster, or (root, DIR unreachable for postgres) a /tmp directory
# whose path is remembered in DIR/cluster-path.
cluster_home() {
  if [[ -f $dir/cluster-path ]]; then
    cat "$dir/cluster-path"
  else
    echo "$dir/cluster"
  fi
}

running() {
  local home=$1
  [[ -f $home/data/PG_VERSION ]] && as_pg "$bindir/pg_ctl" -D "$home/data" status >/dev/null 2>&1
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local home
  home=$(cluster_home)
  if running "$home" && [[ -f $dir/conninfo ]]; then
    echo "pg-test-cluster: already running ($(cat "$dir/conninfo"))"
    return 0
  fi
  if [[ ! -d $home ]]; then
    mkdir -p "$home"
    if [[ $(id -u) -eq 0 ]]; then
      chown "$pg_user" "$home"
      if ! as_pg test -w "$home"; then
        rmdir "$home"
        home=$(mktemp -d /tmp/yiwang-pg-XXXXXX)
        chown "$pg_user" "$home"
        echo "$home" >"$dir/cluster-path"
      fi
    fi
  fi
  if [[ ! -f $home/data/PG_VERSION ]]; then
    rm -rf "$home/data"
    as_pg "$bindir/initdb" -D "$home/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$home/initdb.log" 2>&1 || {
      cat "$home/initdb.log" >&2
      exit 1
    }
  fi
  as_pg mkdir -p "$home/sock"
  local port
  for _ in $(seq 1 20); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_free "$port" || continue
    if as_pg "$bindir/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
      -o "-p $port -k $home/sock -c listen_addresses=127.0.0.1 -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
          -c shared_buffers=64MB" start >/dev/null; then
      echo "host=127.0.0.1 port=$port user=postgres dbname=postgres" >"$dir/conninfo.tmp"
      mv "$dir/conninfo.tmp" "$dir/conninfo"
      echo "pg-test-cluster: started ($(cat "$dir/conninfo"))"
      return 0
    fi
    # Port taken between the check and the bind, most likely; try another.
    tail -n 5 "$home/server.log" >&2 || true
  done
  echo "pg-test-cluster: could not start PostgreSQL (see $home/server.log)" >&2
  exit 1
}

stop() {
  local home
  home=$(cluster_home)
  if running "$home"; then
    as_pg "$bindir/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null
    echo "pg-test-cluster: stopped"
  else
    echo "pg-test-cluster: not running"
  fi
  rm -f "$dir/conninfo"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
