# Shared mechanics of the scripts in tools/scripts (sourced, not run): free ports, a private PostgreSQL,
# and stopping what a script started, by PID.
#   source "$(dirname "$0")/lib.sh"   sets $root (the repo) and a `die` prefixed with the script's name

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
script_name=$(basename "$0" .sh)

die() { echo "$script_name: $*" >&2; exit 1; }

# Below the kernel's ephemeral range (32768+), where outgoing connections could take a port between choosing and
# binding; free for TCP and UDP (some servers, like PowerDNS, bind both).
free_port() {
  python3 -c '
import random, socket
while True:
    port = random.randint(20000, 32000)
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", port)); s.close()
        print(port); break
    except OSError:
        pass'
}

random_secret() { head -c "${1:-36}" /dev/urandom | base64 | tr -d '/+='; }

wait_port() { # port [host]
  local host=${2:-127.0.0.1}
  for _ in $(seq 1 600); do (echo >"/dev/tcp/$host/$1") 2>/dev/null && return 0; sleep 0.1; done
  die "nothing listens on $host:$1"
}

# Processes this script started (append with `pids+=($!)`); stop_pids stops them newest first.
pids=()
stop_pid() { # SIGTERM, ten seconds to exit, then SIGKILL
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
stop_pids() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  pids=()
}

# An empty work directory; postgres.sh keeps the cluster under /var/tmp when its user cannot reach the repo (e.g.
# under /root) and leaves the path in RELOCATED: that copy goes too.
fresh_dir() {
  [[ -f $1/postgres/RELOCATED ]] && rm -rf "$(cat "$1/postgres/RELOCATED")"
  rm -rf "$1" && mkdir -p "$1"
}

# Starts a private PostgreSQL (eng/native/postgres.sh, data in DIR/postgres, log DIR/postgres.log) with database
# "promta" and waits until it answers. Sets pg_port, pg_password, pg_connection (an Npgsql connection string) and
# psql() (runs psql against it: -XAtq, stop on error).
pg_bin="" pg_port="" pg_password="" pg_connection=""
psql() { PGPASSWORD=$pg_password "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d promta -XAtq -v ON_ERROR_STOP=1 "$@"; }
start_postgres() { # dir
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  pg_port=$(free_port)
  pg_password=$(random_secret 18)
  pg_connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$pg_password;Database=promta"
  PG_DATA_DIR=$1/postgres PG_PORT=$pg_port PG_PASSWORD=$pg_password PG_DATABASE=promta \
    "$root/eng/native/postgres.sh" >"$1/postgres.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do psql -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
  psql -c 'SELECT 1' >/dev/null || die "PostgreSQL did not start: $(tail -n5 "$1/postgres.log")"
}

# Starts the Delivery service alone against the private PostgreSQL (start_postgres first): no RabbitMQ (the relay and
# the outbound worker do not use it; MassTransit's reconnect logs are muted), logging at Warning, environment variables
# such as Delivery__Workers passed on. Sets relay_port, http_port, internal_secret (Auth:InternalSecret, which signs the
# gateway's caller header) and dkim_key (Dkim:EncryptionKey, which protects stored DKIM keys) and waits until the relay
# listens.
relay_port="" http_port="" internal_secret="" dkim_key=""
# A published service (DLL) on the script's PostgreSQL, HTTP on PORT, without RabbitMQ (the bus retries quietly; the
# relay, the outbound worker and the APIs do not need it), logging at Warning; NAME=value pairs reach its configuration
# through the environment, arguments after -- go to the service's command line.
start_service() { # dll log port [NAME=value...] [-- args...]
  local dll=$1 log=$2 port=$3 settings=()
  shift 3
  while (($#)) && [[ $1 != -- ]]; do settings+=("$1"); shift; done
  (($#)) && shift
  # From its own directory, as deployed: the content root is the working directory, and the host watches it for
  # configuration changes, recursively; from the repo it read an inotify event for every file PostgreSQL wrote under
  # .data (5 % of the relay benchmark's Delivery CPU).
  (cd "$(dirname "$dll")" && exec env ASPNETCORE_ENVIRONMENT="${SERVICE_ENVIRONMENT:-Development}" ConnectionStrings__promta="$pg_connection" \
    ConnectionStrings__rabbitmq="amqp://guest:guest@127.0.0.1:$(free_port)/" \
    Logging__LogLevel__Default=Warning Logging__LogLevel__MassTransit=None "${settings[@]}" \
    dotnet "$dll" --urls "http://127.0.0.1:$port" "$@") >"$log" 2>&1 &
  pids+=($!)
}

start_delivery() { # environment dll log [args...]
  local environment=$1 dll=$2 log=$3
  shift 3
  relay_port=$(free_port)
  http_port=$(free_port)
  internal_secret=$(random_secret)
  dkim_key=$(random_secret)
  SERVICE_ENVIRONMENT=$environment start_service "$dll" "$log" "$http_port" \
    Auth__InternalSecret="$internal_secret" Dkim__EncryptionKey="$dkim_key" Relay__Port="$relay_port" -- "$@"
  wait_port "$relay_port"
}

# Starts a private PowerDNS Authoritative (eng/native/pdns.sh, data in DIR/pdns, log DIR/pdns.log) and waits until its
# API answers. Sets dns_port (DNS on 127.0.0.1), pdns_api (its HTTP API base URL) and pdns_key (the API key).
dns_port="" pdns_api="" pdns_key=""
start_pdns() { # dir
  dns_port=$(free_port)
  local api_port
  api_port=$(free_port)
  pdns_key=$(random_secret 18)
  pdns_api="http://127.0.0.1:$api_port/api/v1/servers/localhost"
  PDNS_DATA_DIR=$1/pdns DNS_PORT=$dns_port API_PORT=$api_port API_KEY=$pdns_key \
    "$root/eng/native/pdns.sh" >"$1/pdns.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do curl -sf -H "X-API-Key: $pdns_key" "$pdns_api" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "PowerDNS did not start: $(tail -n5 "$1/pdns.log")"
}

# Builds services/Delivery and tools/FakeIsp in Release (the throttling, replica and latency runs), log in dir/build.log.
build_delivery_and_fake_isp() { # dir
  echo "== building services/Delivery and tools/FakeIsp (Release)"
  dotnet build "$root/services/Delivery" -c Release -nologo -v q >"$1/build.log" 2>&1 || die "build failed: see $1/build.log"
  dotnet build "$root/tools/FakeIsp" -c Release -nologo -v q >>"$1/build.log" 2>&1 || die "build failed: see $1/build.log"
}

# The fake Gmail, Outlook and Yahoo of tools/FakeIsp on 127.0.0.2-4, one SMTP port, each with its hidden limit per
# minute and its own throttling reply (Yahoo's rate-limit reply TS03: its reputation reply TSS04, the FakeIsp default,
# suspends a lane for hours by design). Sets mx_port and isp_http (its HTTP counters).
start_fake_isps() { # dir gmail-limit outlook-limit yahoo-limit
  mx_port=$(free_port)
  isp_http=$(free_port)
  dotnet "$root/tools/FakeIsp/bin/Release/net10.0/FakeIsp.dll" --urls "http://127.0.0.1:$isp_http" \
    "--FakeIsp:SmtpPort=$mx_port" \
    --FakeIsp:Providers:0:Name=Gmail --FakeIsp:Providers:0:Domain=gmail.test --FakeIsp:Providers:0:Address=127.0.0.2 \
    "--FakeIsp:Providers:0:RateLimitPerMinute=$2" \
    "--FakeIsp:Providers:0:ThrottleReply=421 4.7.28 [127.0.0.1] Our system has detected an unusual rate of mail originating from your IP address." \
    --FakeIsp:Providers:1:Name=Outlook --FakeIsp:Providers:1:Domain=outlook.test --FakeIsp:Providers:1:Address=127.0.0.3 \
    "--FakeIsp:Providers:1:RateLimitPerMinute=$3" \
    "--FakeIsp:Providers:1:ThrottleReply=451 4.7.650 The mail server [127.0.0.1] has been temporarily rate limited due to IP reputation." \
    --FakeIsp:Providers:2:Name=Yahoo --FakeIsp:Providers:2:Domain=yahoo.test --FakeIsp:Providers:2:Address=127.0.0.4 \
    "--FakeIsp:Providers:2:RateLimitPerMinute=$4" \
    "--FakeIsp:Providers:2:ThrottleReply=421 4.7.0 [TS03] Messages from 127.0.0.1 temporarily deferred due to excessive volume" \
    >"$1/fake-isp.log" 2>&1 &
  pids+=($!)
  wait_port "$mx_port" 127.0.0.2
}
