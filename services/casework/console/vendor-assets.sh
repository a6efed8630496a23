#!/usr/bin/env bash
# Refreshes the console's vendored front-end files from the npm registry at
# pinned versions, then checks them against the recorded checksums.
# `make assets` runs it; `make run` never needs it (the files are committed).
set -euo pipefail
cd "$(dirname "$0")"
GOVUK_FRONTEND=6.6.0
AXE_CORE=4.14.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "govuk-frontend@$GOVUK_FRONTEND" "axe-core@$AXE_CORE" >/dev/null)
mkdir -p "$tmp/g" "$tmp/a"
tar xzf "$tmp/govuk-frontend-$GOVUK_FRONTEND.tgz" -C "$tmp/g"
tar xzf "$tmp/axe-core-$AXE_CORE.tgz" -C "$tmp/a"
d="$tmp/g/package/dist/govuk"
cp "$d/govuk-frontend.min.css" "$d/govuk-frontend.min.js" "$d/assets/images/favicon.ico" "$d/assets/images/favicon.svg" assets/
cp "$tmp/a/package/axe.min.js" ../../../tests/browser/testdata/axe.min.js
cp "$tmp/a/package/LICENSE" ../../../tests/browser/testdata/axe-LICENSE.txt
sha256sum -c --quiet assets/SHA256SUMS
echo "console assets: govuk-frontend $GOVUK_FRONTEND, axe-core $AXE_CORE, checksums match"
