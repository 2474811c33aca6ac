#!/usr/bin/env bash
# Runs one PgBouncer in the foreground in front of one PostgreSQL database, pooled as production pools PowerDNS's
# (deploy/base/postgres/powerdns-db-pooler.yaml: session pooling, the server connection reset with DISCARD ALL when a
# client leaves). PowerDNS's gpgsql backend opens a PostgreSQL session for every API request; through PgBouncer the
# next request reuses a server session whose catalog caches are warm instead of forking and authenticating a new one.
#   PGB_DATA_DIR   absolute path for this instance's configuration; created if missing
#   PGB_PORT       port PgBouncer listens on (127.0.0.1)
#   PG_HOST PG_PORT PG_DATABASE PG_USER PG_PASSWORD   the database pooled, and the one login clients use
#   PGB_POOL_SIZE  optional: server connections at most (default 10, as the Pooler's default_pool_size)
set -euo pipefail

die() { echo "pgbouncer.sh: $*" >&2; exit 1; }

: "${PGB_DATA_DIR:?}" "${PGB_PORT:?}" "${PG_HOST:?}" "${PG_PORT:?}" "${PG_DATABASE:?}" "${PG_USER:?}" "${PG_PASSWORD:?}"
[[ $PGB_DATA_DIR == /* ]] || die "PGB_DATA_DIR must be absolute: $PGB_DATA_DIR"
for p in PGB_PORT PG_PORT; do
  [[ ${!p} =~ ^[0-9]+$ ]] && ((${!p} > 0 && ${!p} < 65536)) || die "$p is not a port: ${!p}"
done
# The values go into an ini file and a quoted auth file: nothing that could end or comment out an entry.
for v in PG_HOST PG_DATABASE PG_USER PG_PASSWORD; do
  [[ ${!v} =~ ^[^[:space:][:cntrl:]\"\;#=]+$ ]] || die "$v must not contain blanks, control characters, quotes, ';', '#' or '='"
done
command -v pgbouncer >/dev/null || die "pgbouncer not found; run eng/install-servers.sh"

# PgBouncer refuses to run as root: as root it runs as the OS user "postgres".
source "$(dirname "${BASH_SOURCE[0]}")/as-postgres.sh"
own_data_dir "$PGB_DATA_DIR"
"${as_pg[@]}" test -r "$PGB_DATA_DIR" -a -x "$PGB_DATA_DIR" \
  || die "user '$("${as_pg[@]}" id -un)' cannot reach $PGB_DATA_DIR (a parent without search permission): choose a data dir it can reach"

# Rewritten on every start, so changed ports or passwords apply to a reused data dir. Clients authenticate with SCRAM
# against the password kept here; PgBouncer then logs in to PostgreSQL with the same password.
(umask 077
printf '"%s" "%s"\n' "$PG_USER" "$PG_PASSWORD" > "$PGB_DATA_DIR/userlist.txt"
cat > "$PGB_DATA_DIR/pgbouncer.ini" <<INI
[databases]
$PG_DATABASE = host=$PG_HOST port=$PG_PORT dbname=$PG_DATABASE
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $PGB_DATA_DIR/userlist.txt
pool_mode = session
server_reset_query = DISCARD ALL
default_pool_size = ${PGB_POOL_SIZE:-10}
max_client_conn = 500
pidfile =
logfile =
INI
)
((EUID == 0)) && chown postgres:postgres "$PGB_DATA_DIR/userlist.txt" "$PGB_DATA_DIR/pgbouncer.ini"

# exec: PgBouncer takes over this PID, so the caller's SIGTERM/SIGINT reach it directly.
exec "${as_pg[@]}" pgbouncer "$PGB_DATA_DIR/pgbouncer.ini"
