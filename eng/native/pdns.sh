#!/usr/bin/env bash
# Runs one PowerDNS Authoritative server (gsqlite3 backend + HTTP API) in the foreground for the
# AppHost / test fixtures (no container runtime).
#   PDNS_DATA_DIR  absolute path of this instance's data (e.g. <repo>/.data/pdns); created if missing
#   DNS_PORT       DNS (UDP+TCP) on 127.0.0.1
#   API_PORT       HTTP API/webserver on 127.0.0.1 (header X-API-Key: $API_KEY)
#   API_KEY        API key
#   PDNS_PGSQL     optional: "host port dbname user password" of a PostgreSQL database to keep the zones in (the
#                  gpgsql backend, as production runs it: deploy/base/powerdns); its schema is created if missing.
#                  Without it: SQLite, which takes one writer at a time (concurrent API writes get "database is locked").
# Layout: $PDNS_DATA_DIR/{pdns.conf,pdns.sqlite3,run/}. Runs as the calling user (root is fine: the
# ports are unprivileged, so no setuid/chroot is configured).
set -euo pipefail

die() { echo "pdns.sh: $*" >&2; exit 1; }

: "${PDNS_DATA_DIR:?PDNS_DATA_DIR must be set}" "${DNS_PORT:?DNS_PORT must be set}"
: "${API_PORT:?API_PORT must be set}" "${API_KEY:?API_KEY must be set}"
[[ $PDNS_DATA_DIR == /* ]] || die "PDNS_DATA_DIR must be absolute: $PDNS_DATA_DIR"
for p in DNS_PORT API_PORT; do
  [[ ${!p} =~ ^[0-9]+$ ]] && ((${!p} > 0 && ${!p} < 65536)) || die "$p is not a port: ${!p}"
done
# pdns.conf treats '#' as a comment and trims blanks, so such a key would silently change.
[[ $API_KEY =~ ^[^[:space:][:cntrl:]#]+$ ]] || die "API_KEY must not contain blanks, control characters or '#'"

command -v pdns_server >/dev/null || die "pdns_server not found; run eng/install-servers.sh"
command -v sqlite3 >/dev/null || die "sqlite3 not found; run eng/install-servers.sh"

d=$PDNS_DATA_DIR
db=$d/pdns.sqlite3
umask 022
mkdir -p "$d/run"

# First run: build the database from the schema the Debian backend package ships, in a temp file that
# is renamed when complete, so an interrupted run never leaves a half-created database behind.
if [[ -z ${PDNS_PGSQL:-} && ! -s $db ]]; then
  schema=
  for f in /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql \
           /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql \
           /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql.gz; do
    [[ -e $f ]] && { schema=$f; break; }
  done
  [[ -n $schema ]] || die "sqlite3 schema of pdns-backend-sqlite3 not found; install pdns-backend-sqlite3"
  echo "pdns.sh: creating $db from $schema" >&2
  rm -f "$db.init"
  if [[ $schema == *.gz ]]; then zcat "$schema"; else cat "$schema"; fi | sqlite3 -bail "$db.init"
  mv "$db.init" "$db"
fi

backend="launch=gsqlite3
gsqlite3-database=$db
gsqlite3-dnssec=yes"
if [[ -n ${PDNS_PGSQL:-} ]]; then
  command -v psql >/dev/null || die "psql not found; run eng/install-servers.sh"
  read -r pg_host pg_port pg_db pg_user pg_password <<<"$PDNS_PGSQL"
  [[ -n ${pg_password:-} ]] || die "PDNS_PGSQL must be \"host port dbname user password\""
  schema=/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql
  [[ -e $schema ]] || die "$schema not found; install pdns-backend-pgsql"
  export PGPASSWORD=$pg_password
  if ! psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" -tAc "SELECT to_regclass('public.domains')" | grep -q domains; then
    echo "pdns.sh: creating the gpgsql schema in $pg_db from $schema" >&2
    psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" -v ON_ERROR_STOP=1 -q -1 -f "$schema" >&2
  fi
  backend="launch=gpgsql
gpgsql-host=$pg_host
gpgsql-port=$pg_port
gpgsql-dbname=$pg_db
gpgsql-user=$pg_user
gpgsql-password=$pg_password
gpgsql-dnssec=yes"
fi

# Rewritten on every start so changed ports/key apply to a reused data dir.
# - g*sql-dnssec: the API keeps zone metadata (SOA-EDIT-API ...) in tables only used with it on.
# - security-poll-suffix empty: no DNS query to powerdns.com at start (offline machines).
# - socket-dir: control socket in the data dir, so instances never share /run/pdns.
(umask 077; cat > "$d/pdns.conf" <<CONF
$backend
local-address=127.0.0.1
local-port=$DNS_PORT
api=yes
api-key=$API_KEY
webserver=yes
webserver-address=127.0.0.1
webserver-port=$API_PORT
webserver-allow-from=127.0.0.0/8
daemon=no
guardian=no
disable-syslog=yes
log-timestamp=no
socket-dir=$d/run
security-poll-suffix=
CONF
)

# exec: pdns_server takes over this PID, so SIGTERM/SIGINT from the caller reach it directly and
# there is no helper process that could be left behind.
cd "$d"
exec pdns_server --config-dir="$d"
