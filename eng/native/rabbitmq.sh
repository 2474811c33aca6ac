#!/usr/bin/env bash
# Runs one RabbitMQ node in the foreground for the AppHost / test fixtures (no container runtime).
#   RABBITMQ_DATA_DIR  absolute path of this instance's data (e.g. <repo>/.data/rabbitmq); created if missing
#   AMQP_PORT          AMQP 0-9-1 listener on 127.0.0.1
#   DIST_PORT          Erlang distribution port (used by rabbitmqctl), 127.0.0.1
#   EPMD_PORT          port of this instance's own epmd, 127.0.0.1
#   RABBITMQ_USER      user with full permissions on vhost "/"
#   RABBITMQ_PASSWORD  its password; (re)applied on every boot
# Node name: promta-<AMQP_PORT>@localhost. HOME (with .erlang.cookie), config, mnesia and logs all
# live under RABBITMQ_DATA_DIR. Runs as the calling user (root is fine).
set -euo pipefail

die() { echo "rabbitmq.sh: $*" >&2; exit 1; }

: "${RABBITMQ_DATA_DIR:?RABBITMQ_DATA_DIR must be set}" "${AMQP_PORT:?AMQP_PORT must be set}"
: "${DIST_PORT:?DIST_PORT must be set}" "${EPMD_PORT:?EPMD_PORT must be set}"
: "${RABBITMQ_USER:?RABBITMQ_USER must be set}" "${RABBITMQ_PASSWORD:?RABBITMQ_PASSWORD must be set}"
[[ $RABBITMQ_DATA_DIR == /* ]] || die "RABBITMQ_DATA_DIR must be absolute: $RABBITMQ_DATA_DIR"
# The path ends up in rabbitmq.conf and in word-split Erlang arguments, which do not survive blanks.
[[ $RABBITMQ_DATA_DIR != *[[:space:]]* ]] || die "RABBITMQ_DATA_DIR must not contain blanks: $RABBITMQ_DATA_DIR"
for p in AMQP_PORT DIST_PORT EPMD_PORT; do
  [[ ${!p} =~ ^[0-9]+$ ]] && ((${!p} > 0 && ${!p} < 65536)) || die "$p is not a port: ${!p}"
done
# User name and password go into a JSON file; refuse control characters rather than escape them.
[[ $RABBITMQ_USER$RABBITMQ_PASSWORD != *[[:cntrl:]]* ]] || die "RABBITMQ_USER/PASSWORD must not contain control characters"

RMQ_BIN=/usr/lib/rabbitmq/bin
[[ -x $RMQ_BIN/rabbitmq-server ]] || die "rabbitmq-server not found in $RMQ_BIN; run eng/install-servers.sh"
command -v epmd >/dev/null || die "epmd not found (erlang-base)"

d=$RABBITMQ_DATA_DIR
umask 022
mkdir -p "$d/home" "$d/mnesia" "$d/log" "$d/conf.d"

# Per-instance Erlang cookie, so the CLI (HOME=$d/home) can talk to exactly this node.
if [[ ! -s $d/home/.erlang.cookie ]]; then
  (umask 077; od -An -N20 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F > "$d/home/.erlang.cookie")
fi
chmod 400 "$d/home/.erlang.cookie"

# No plugins: the management UI is not needed and every plugin costs start-up time.
echo '[].' > "$d/enabled_plugins"
: > "$d/rabbitmq-env.conf"

# Credentials: a definitions file imported on EVERY boot (load_definitions) upserts the user, vhost
# and permissions before clients are served, so a changed RABBITMQ_PASSWORD on a reused data dir just
# works, without a rabbitmqctl round-trip after boot and without wiping mnesia (queues survive).
# The hash is RabbitMQ's own format: base64(salt4 || sha256(salt4 || password)).
hex_to_bin() { printf "$(sed 's/../\\x&/g')"; }
salt=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
digest=$({ hex_to_bin <<<"$salt"; printf '%s' "$RABBITMQ_PASSWORD"; } | sha256sum | cut -c1-64)
pw_hash=$(hex_to_bin <<<"$salt$digest" | base64 -w0)
json_str() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
user_json=$(json_str "$RABBITMQ_USER")
(umask 077; cat > "$d/definitions.json" <<JSON
{
  "users": [{"name": $user_json, "password_hash": "$pw_hash",
             "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}],
  "vhosts": [{"name": "/"}],
  "permissions": [{"user": $user_json, "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}]
}
JSON
)

cat > "$d/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
load_definitions = $d/definitions.json
log.console = true
log.console.level = info
log.file = false
CONF

# Everything RabbitMQ would otherwise take from /etc/rabbitmq, /var/lib/rabbitmq or HOME.
export HOME=$d/home
export RABBITMQ_NODENAME=promta-$AMQP_PORT@localhost
export RABBITMQ_CONF_ENV_FILE=$d/rabbitmq-env.conf
export RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf
export RABBITMQ_CONFIG_FILES=$d/conf.d
export RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config
export RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins
export RABBITMQ_MNESIA_BASE=$d/mnesia
export RABBITMQ_LOG_BASE=$d/log
export RABBITMQ_LOGS=-
export RABBITMQ_PID_FILE=$d/rabbitmq.pid
export RABBITMQ_DIST_PORT=$DIST_PORT
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$EPMD_PORT
# -start_epmd false: the VM must never spawn its own "epmd -daemon", which would outlive the node.
# inet_dist_use_interface: distribution listens on 127.0.0.1 only.
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-start_epmd false"
unset RABBITMQ_PASSWORD

# epmd is a helper the node needs, so this script stays as the parent (no exec) and owns it:
# it runs epmd in the foreground (not -daemon) as its child and stops it after the node on
# SIGTERM/SIGINT. --pdeathsig=TERM on both children: if this script is SIGKILLed, the kernel sends
# them SIGTERM (rabbitmq-server's own trap then stops the VM gracefully), so nothing is left behind.
# (Safe because this bash parent is single-threaded.)
epmd_pid= rmq_pid=
stop() {
  trap '' TERM INT HUP
  if [[ -n $rmq_pid ]]; then kill -TERM "$rmq_pid" 2>/dev/null || true; wait "$rmq_pid" 2>/dev/null || true; fi
  if [[ -n $epmd_pid ]]; then kill -TERM "$epmd_pid" 2>/dev/null || true; wait "$epmd_pid" 2>/dev/null || true; fi
  exit 0
}
trap stop TERM INT HUP

cd "$d"
setpriv --pdeathsig=TERM -- epmd -port "$EPMD_PORT" -address 127.0.0.1 &
epmd_pid=$!
# Wait until epmd answers, so the node can register with it.
epmd_up=0
for _ in $(seq 1 100); do
  epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 && { epmd_up=1; break; }
  kill -0 "$epmd_pid" 2>/dev/null || break
  sleep 0.05
done
((epmd_up)) || { kill -TERM "$epmd_pid" 2>/dev/null || true; die "epmd did not start on 127.0.0.1:$EPMD_PORT (port in use?)"; }

# rabbitmq-server (not exec'd, background job of this script) traps SIGTERM itself and turns it into
# a clean VM shutdown.
setpriv --pdeathsig=TERM -- "$RMQ_BIN/rabbitmq-server" &
rmq_pid=$!
rc=0; wait "$rmq_pid" || rc=$?
# Getting here means the node stopped without being asked (boot failure such as a port clash; a
# requested stop exits in the trap). rabbitmq-server reports 0 even then, so report a failure.
rmq_pid=
kill -TERM "$epmd_pid" 2>/dev/null || true
wait "$epmd_pid" 2>/dev/null || true
echo "rabbitmq.sh: rabbitmq-server exited unexpectedly (status $rc)" >&2
exit $((rc == 0 ? 1 : rc))
