#!/usr/bin/env bash
# Creates the Secrets ProMTA's manifests reference, in namespace $NAMESPACE (default promta). Random values are
# generated here and never written anywhere else; a Secret that already exists is kept (to rotate one, delete it,
# run this again, then restart the pods that read it). Needs kubectl (pointing at the cluster) and openssl.
#
#   production: STRIPE_SECRET_KEY=sk_live_... STRIPE_WEBHOOK_SECRET=whsec_... \
#               RELAY_PFX=relay.pfx RELAY_PFX_PASSWORD=... deploy/scripts/create-secrets.sh
#   local:      LOCAL=1 deploy/scripts/create-secrets.sh   (Stripe emulator, self-signed relay certificate)
#
# Made by the operators, not here: promta-rabbitmq-default-user (RabbitMQ Cluster Operator) and
# powerdns-db-app (CloudNativePG).
set -euo pipefail

ns=${NAMESPACE:-promta}
local_cluster=${LOCAL:-0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

random() { openssl rand -hex 32; }   # hex: safe inside connection strings and URLs

# create NAME [--type=TYPE] KEY=VALUE... : values go through files, never the command line.
create() {
  local name=$1 type=Opaque; shift
  if [[ ${1:-} == --type=* ]]; then type=${1#--type=}; shift; fi
  if kubectl -n "$ns" get secret "$name" >/dev/null 2>&1; then echo "kept    $name"; return; fi
  local args=() pair
  for pair in "$@"; do
    printf '%s' "${pair#*=}" > "$work/${pair%%=*}"
    args+=(--from-file="${pair%%=*}=$work/${pair%%=*}")
  done
  kubectl -n "$ns" create secret generic "$name" --type="$type" "${args[@]}" >/dev/null
  rm -f "$work"/*
  echo "created $name"
}

kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"

# One PostgreSQL login role per service (CloudNativePG managed roles read these: type basic-auth).
for service in ordering billing provisioning dns delivery; do
  create "promta-db-$service" --type=kubernetes.io/basic-auth "username=$service" "password=$(random)"
done

create promta-internal "internal-secret=$(random)"                      # the gateway's signed caller header
create promta-auth "token-signing-key=$(random)" "staff-password=$(random)"   # access tokens; first operator's password
create promta-dkim "encryption-key=$(random)"                           # DKIM private keys at rest (Dns, Delivery)
create promta-verp "signing-key=$(random)"                              # signs VERP return paths (Delivery)
create promta-powerdns "api-key=$(random)"                              # PowerDNS HTTP API

if [[ $local_cluster == 1 ]]; then
  # The emulator signs its webhooks with this, Billing checks them with it.
  create promta-stripe "webhook-secret=$(random)"
  if ! kubectl -n "$ns" get secret promta-relay-tls >/dev/null 2>&1; then
    password=$(random)
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=relay.promta.local" \
      -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -out "$work/relay.pfx" -passout "file:"<(printf '%s' "$password")
    printf '%s' "$password" > "$work/password"
    kubectl -n "$ns" create secret generic promta-relay-tls --from-file=relay.pfx="$work/relay.pfx" --from-file=password="$work/password" >/dev/null
    echo "created promta-relay-tls (self-signed)"
  fi
else
  : "${STRIPE_SECRET_KEY:?set STRIPE_SECRET_KEY (Stripe dashboard, API keys)}"
  : "${STRIPE_WEBHOOK_SECRET:?set STRIPE_WEBHOOK_SECRET (the signing secret of the webhook endpoint /api/webhooks/stripe)}"
  create promta-stripe "secret-key=$STRIPE_SECRET_KEY" "webhook-secret=$STRIPE_WEBHOOK_SECRET"
  if ! kubectl -n "$ns" get secret promta-relay-tls >/dev/null 2>&1; then
    : "${RELAY_PFX:?set RELAY_PFX to the PKCS#12 certificate of the relay (relay.promta.example) and RELAY_PFX_PASSWORD}"
    printf '%s' "${RELAY_PFX_PASSWORD:?set RELAY_PFX_PASSWORD}" > "$work/password"
    kubectl -n "$ns" create secret generic promta-relay-tls --from-file=relay.pfx="$RELAY_PFX" --from-file=password="$work/password" >/dev/null
    echo "created promta-relay-tls"
  fi
fi
