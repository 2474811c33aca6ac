#!/usr/bin/env bash
# Runs one PostgreSQL server in the foreground for the AppHost / test fixtures (no container runtime).
#   PG_DATA_DIR  absolute path of this instance's data (e.g. <repo>/.data/postgres); created if missing
#   PG_PORT      TCP port on 127.0.0.1
#   PG_PASSWORD  password of the superuser "postgres"; (re)applied on every start
#   PG_DATABASE  database created if missing (default: promta)
#   PG_BIN       optional: directory of initdb/postgres (default: newest /usr/lib/postgresql/*/bin)
#   PG_STAT_STATEMENTS=1  optional: load pg_stat_statements (per-statement calls and time; tools/scripts/load.sh reads it)
#   PG_SETTINGS  optional: more server settings for an experiment, space-separated name=value (e.g. plan_cache_mode=force_generic_plan)
# Layout: $PG_DATA_DIR/pgdata (cluster), $PG_DATA_DIR/run (unix socket). Nothing is written elsewhere.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

: "${PG_DATA_DIR:?PG_DATA_DIR must be set}" "${PG_PORT:?PG_PORT must be set}" "${PG_PASSWORD:?PG_PASSWORD must be set}"
PG_DATABASE=${PG_DATABASE:-promta}
[[ $PG_DATA_DIR == /* ]] || die "PG_DATA_DIR must be absolute: $PG_DATA_DIR"
[[ $PG_PORT =~ ^[0-9]+$ ]] && ((PG_PORT > 0 && PG_PORT < 65536)) || die "PG_PORT is not a port: $PG_PORT"
# The name is spliced into SQL unquoted-safe only if it is a plain identifier.
[[ $PG_DATABASE =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "PG_DATABASE must be a plain identifier: $PG_DATABASE"
# Single-user mode reads one statement per line, so the password must be a single line.
[[ $PG_PASSWORD != *$'\n'* ]] || die "PG_PASSWORD must not contain a newline"

if [[ -z ${PG_BIN:-} ]]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
fi
[[ -n $PG_BIN && -x $PG_BIN/postgres && -x $PG_BIN/initdb ]] || die "PostgreSQL binaries not found (set PG_BIN); run eng/install-servers.sh"

pgdata=$PG_DATA_DIR/pgdata
sockdir=$PG_DATA_DIR/run

# Postgres refuses to run as root: as root, initdb and the server run as the OS user "postgres".
source "$(dirname "${BASH_SOURCE[0]}")/as-postgres.sh"
own_data_dir "$PG_DATA_DIR"

# The server user must be able to reach the data dir; a home dir like /root (0700) in the path blocks it.
# Then the cluster lives under /var/tmp instead (one folder per data dir, found again on the next start), and a
# note in the data dir says where, so whoever deletes the data dir can delete the cluster too.
if ! "${as_pg[@]}" test -w "$PG_DATA_DIR" -a -x "$PG_DATA_DIR"; then
  blocker=
  d=$PG_DATA_DIR
  while [[ $d != / ]]; do
    d=$(dirname "$d")
    "${as_pg[@]}" test -x "$d" || blocker=$d
  done
  relocated=/var/tmp/promta-postgres/$(printf '%s' "$PG_DATA_DIR" | sha256sum | cut -c1-16)
  echo "postgres.sh: user '$(${as_pg[@]} id -un)' cannot reach $PG_DATA_DIR${blocker:+ (no search permission on $blocker)};" \
       "the cluster is kept in $relocated" >&2
  printf '%s\n' "$relocated" > "$PG_DATA_DIR/RELOCATED"
  mkdir -p /var/tmp/promta-postgres
  chmod 711 /var/tmp/promta-postgres
  own_data_dir "$relocated"
  PG_DATA_DIR=$relocated
  pgdata=$PG_DATA_DIR/pgdata
  sockdir=$PG_DATA_DIR/run
  "${as_pg[@]}" test -w "$PG_DATA_DIR" -a -x "$PG_DATA_DIR" || die "user '$(${as_pg[@]} id -un)' cannot reach $PG_DATA_DIR either"
fi
# Run the tools from inside the data dir, not from the caller's cwd which postgres may not enter.
cd "$PG_DATA_DIR"

# Unix sockets are limited to 107 bytes; with a deep repo path fall back to TCP only rather than fail.
socket_dirs=$sockdir
if (( ${#sockdir} + ${#PG_PORT} + 12 > 107 )); then
  echo "postgres.sh: $sockdir is too long for a unix socket path; unix sockets disabled (TCP only)" >&2
  socket_dirs=
fi
mkdir -p "$sockdir"
((EUID == 0)) && chown postgres:postgres "$sockdir"
chmod 700 "$sockdir"

# First run: initdb into a temp dir and rename it when complete, so an interrupted init is redone
# instead of being mistaken for a cluster.
if [[ ! -f $pgdata/PG_VERSION ]]; then
  echo "postgres.sh: initializing cluster in $pgdata" >&2
  rm -rf "$pgdata" "$pgdata.init"
  pwfile=$PG_DATA_DIR/.pwfile
  trap 'rm -f "$pwfile"' EXIT
  (umask 077; printf '%s\n' "$PG_PASSWORD" > "$pwfile")
  ((EUID == 0)) && chown postgres:postgres "$pwfile"
  locale_args=(--no-locale)
  locale -a 2>/dev/null | grep -ix 'c\.utf-\?8' >/dev/null && locale_args=(--locale=C.UTF-8)
  # scram for TCP (what the services use); peer on the private socket for local admin work.
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$pgdata.init" -U postgres --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=peer --no-instructions -E UTF8 "${locale_args[@]}" >&2
  rm -f "$pwfile"
  trap - EXIT
  mv "$pgdata.init" "$pgdata"
fi

# Single-user mode (no listener, no race with clients) applies the caller's password on every start,
# so a reused data dir still accepts a changed PG_PASSWORD, and creates the database if missing.
# exit_on_error turns any SQL error into a non-zero exit. Input goes via stdin: never on a command line.
single() {
  "${as_pg[@]}" "$PG_BIN/postgres" --single -D "$pgdata" -c exit_on_error=on -c listen_addresses= \
    -c unix_socket_directories= postgres
}
sql_pw=${PG_PASSWORD//\'/\'\'}
out=$(single <<SQL
ALTER ROLE postgres WITH PASSWORD '$sql_pw';
SELECT datname AS promta_probe FROM pg_database WHERE datname = '$PG_DATABASE';
SQL
)
if ! grep -q "promta_probe = \"$PG_DATABASE\"" <<<"$out"; then
  echo "postgres.sh: creating database $PG_DATABASE" >&2
  single <<<"CREATE DATABASE \"$PG_DATABASE\";" >/dev/null
fi
unset PG_PASSWORD sql_pw

# Why not exec: postgres maps SIGTERM to a *smart* shutdown that waits for every client to
# disconnect, and pooled services/test processes keep idle connections open, so a plain SIGTERM can
# hang until the caller escalates to SIGKILL. This script therefore stays as a thin parent and turns
# SIGTERM/SIGINT into SIGINT = fast shutdown (clients disconnected, clean checkpoint).
# --pdeathsig=INT: if this script itself is SIGKILLed, the kernel asks the postmaster for the same fast
# shutdown, so nothing is left behind (safe because this bash parent is single-threaded; backends exit
# on their own when the postmaster is gone).
pg_pid=
stop() { [[ -n $pg_pid ]] && kill -INT "$pg_pid" 2>/dev/null || true; }
trap stop TERM INT HUP
if ((EUID == 0)); then
  launch=(setpriv --reuid=postgres --regid=postgres --init-groups --pdeathsig=INT --)
else
  launch=(setpriv --pdeathsig=INT --)
fi
profiling=()
[[ ${PG_STAT_STATEMENTS:-} == 1 ]] && profiling=(-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on)
for setting in ${PG_SETTINGS:-}; do profiling+=(-c "$setting"); done
"${launch[@]}" "$PG_BIN/postgres" -D "$pgdata" "${profiling[@]}" \
  -c listen_addresses=127.0.0.1 \
  -p "$PG_PORT" \
  -c unix_socket_directories="$socket_dirs" \
  -c max_connections=300 \
  -c logging_collector=off &
pg_pid=$!
# wait returns early (status > 128) when a trapped signal arrives; keep waiting until the postmaster
# has really exited so its exit status is ours and nothing outlives this script.
while :; do
  rc=0; wait "$pg_pid" || rc=$?
  ((rc > 128)) && kill -0 "$pg_pid" 2>/dev/null && continue
  # Interrupted wait, but the postmaster exited meanwhile: bash still holds its real status.
  ((rc > 128)) && { r=0; wait "$pg_pid" 2>/dev/null || r=$?; ((r == 127)) || rc=$r; }
  break
done
exit "$rc"
