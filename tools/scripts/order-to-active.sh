#!/usr/bin/env bash
# Signs up a customer through the gateway, orders with Stripe's test card and reports how long the order takes
# from POST /api/orders to Active, then asks PowerDNS for the PTR of the new dedicated IP.
#   GATEWAY (default http://localhost:8080), DNS_PORT (default 5353), CARD (default pm_card_visa)
set -euo pipefail
gateway=${GATEWAY:-http://localhost:8080}
dns_port=${DNS_PORT:-5353}
card=${CARD:-pm_card_visa}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

key=$(curl -sf -X POST "$gateway/api/customers" -H 'content-type: application/json' \
  -d "{\"email\":\"try-$RANDOM$RANDOM@example.test\",\"name\":\"Try ProMTA\",\"password\":\"correct horse battery\"}" | json 'd["apiKey"]')
start=$(date +%s%N)
order=$(curl -sf -X POST "$gateway/api/orders" -H "authorization: Bearer $key" -H 'content-type: application/json' \
  -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" -d "{\"productId\":\"promta-starter\",\"paymentMethodId\":\"$card\"}")
order_id=$(echo "$order" | json 'd["orderId"]')
service_id=$(echo "$order" | json 'd["serviceId"]')
status=Placed
for _ in $(seq 1 600); do
  status=$(curl -sf "$gateway/api/orders/$order_id" -H "authorization: Bearer $key" | json 'd["status"]')
  [[ $status == Active || $status == PaymentFailed ]] && break
  sleep 0.05
done
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
echo "order $order_id: $status after $elapsed ms"
curl -sf "$gateway/api/orders/$order_id" -H "authorization: Bearer $key" | python3 -m json.tool
if [[ $status == Active ]]; then
  ip=$(curl -sf "$gateway/api/services/$service_id" -H "authorization: Bearer $key" | json 'd["ips"][0]')
  echo "dig @127.0.0.1 -p $dns_port -x $ip:"
  dig +short @127.0.0.1 -p "$dns_port" -x "$ip"
fi
