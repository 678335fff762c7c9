#!/usr/bin/env bash
# Runs Exact Offline. With a display it opens the window: on the built-in demo company when no
# account is signed in (the Exact Online simulator runs in-process). Without a display it syncs
# the demo company (or the signed-in account) headlessly, with progress bars and a summary.
# Arguments are passed on: `scripts/run.sh status --demo`, `scripts/run.sh login --region nl ...`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
exec cargo run --release --locked -q -p exact-offline -- "$@"
