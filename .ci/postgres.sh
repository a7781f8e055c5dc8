# Sourced by .ci/run (and usable by hand: `. .ci/postgres.sh` in a shell): starts a private PostgreSQL
# server for the tests and exports BODYMAP_TEST_POSTGRES, its URL; the server stops, and its folder is
# removed, when the shell that sourced this exits.
#
# The server is the distribution's package `postgresql` (installed with apt-get when it is missing and
# this runs as root). Its cluster lives in a temporary folder and listens only on a unix socket there:
# nothing else on the machine sees it, and no port is taken. As root, initdb and the server run as the
# `postgres` user (PostgreSQL refuses to run as root).

_pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

if [ -z "$(_pg_bin)" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ci: installing PostgreSQL (the distribution's package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
PG_BIN=$(_pg_bin)
[ -n "$PG_BIN" ] || { echo "ci: PostgreSQL is not installed (apt-get install postgresql)"; exit 1; }

PG_DIR=$(mktemp -d /tmp/bodymap-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$PG_DIR"
  _as_pg() { runuser -u postgres -- "$@"; }
else
  _as_pg() { "$@"; }
fi
_pg_stop() {
  _as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap _pg_stop EXIT
_as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
  >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; exit 1; }
# fsync off: a test server thrown away at the end need not survive a power cut, and it is much faster.
_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
  -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c fsync=off -c max_connections=200" \
  start >/dev/null || { cat "$PG_DIR/server.log"; exit 1; }
export BODYMAP_TEST_POSTGRES="postgresql+psycopg://postgres@/postgres?host=$PG_DIR"
echo "ci: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $PG_DIR"
