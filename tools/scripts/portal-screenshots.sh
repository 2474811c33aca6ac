#!/usr/bin/env bash
# Screenshots of the portal for the docs: runs the browser test that visits every page at 1280x800 and at 390 px
# (tests/EndToEnd/Portal/PortalEveryPageTests: the whole stack through the AppHost, Debian's chromium, a customer who
# orders with the 4242 test card, axe on every page) and copies the pricing, order, order status, service and invoice
# pages to docs/images/portal-<page>-<width>.png. Run it after changing a page; commit the PNGs it changed.
#   ./tools/scripts/portal-screenshots.sh      (about 5 minutes, most of it starting the stack)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

shots="$root/tests/EndToEnd/bin/Debug/net10.0/TestResults/screenshots"
rm -f "$shots"/every-page-*.png
dotnet test "$root/tests/EndToEnd" --filter "FullyQualifiedName~ProMTA.EndToEnd.Portal.PortalEveryPageTests" \
  || die "the every-page browser test failed; nothing copied (its screenshots are in $shots)"

mkdir -p "$root/docs/images"
for page in pricing order order-status service invoices; do
  for width in 1280 390; do
    source_png="$shots/every-page-$page-$width.png"
    [[ -f $source_png ]] || die "missing $source_png"
    cp "$source_png" "$root/docs/images/portal-$page-$width.png"
  done
done
echo "$script_name: copied $(ls "$root"/docs/images/portal-*.png | wc -l) screenshots to docs/images"
