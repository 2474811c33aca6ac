#!/usr/bin/env bash
# Installs the Debian servers the platform runs on when no container runtime answers.
# Idempotent: installs only what is missing, does nothing on a machine that has everything.
set -euo pipefail

# kubectl renders the Kubernetes overlays in tests/Deploy.Tests.
bash "$(dirname "$0")/install-kubectl.sh"

need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# python3-dkim: an independent DKIM verifier for the conformance tests.
# fonts-dejavu-core: the font Billing embeds in invoice and credit-note PDFs.
# publicsuffix: the Public Suffix List Ordering refuses sending domains from (co.uk, github.io).
# chromium: the browser the portal tests drive through Playwright (no browser download on these machines).
# mmdebstrap, umoci, skopeo, docker-registry: container images without a Docker engine (deploy/scripts/build-images.sh).
for pkg in fonts-dejavu-core postgresql rabbitmq-server pdns-server pdns-backend-sqlite3 pdns-backend-pgsql pgbouncer sqlite3 dnsutils postfix swaks chromium python3-dkim publicsuffix \
  mmdebstrap umoci skopeo docker-registry; do
  have "$pkg" || need+=("$pkg")
done
# libnet-ssleay-perl: swaks's STARTTLS. Only recommended by swaks, so --no-install-recommends below leaves it out; the
# relay conformance tests (tests/Delivery.Tests) drive the relay with swaks over TLS.
have libnet-ssleay-perl || need+=(libnet-ssleay-perl)
((${#need[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "ProMTA needs these Debian packages: ${need[*]}" >&2
  echo "Install them as root: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "Installing ${need[*]} ..."
# Postfix asks questions at install time; we only want its smtp-sink/smtp-source tools.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101 keeps apt from starting the distribution's own services: the platform runs its own
# instances on its own ports, and a system-wide server would hold those ports.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy; created_policy=1; fi
trap '((created_policy)) && rm -f '"$policy" EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
