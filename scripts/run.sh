#!/usr/bin/env bash
# Runs Exact Offline. Until the desktop app lands, this starts the built-in demo company (the
# Exact Online simulator, in-process) and performs a headless demo fetch through the real client:
# OAuth sign-in, division discovery and paging of items and accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
exec cargo run --release --locked -q -p exact-api --example demo -- "$@"
