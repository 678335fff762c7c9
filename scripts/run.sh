#!/usr/bin/env bash
# Runs Exact Offline. Until the desktop window lands (#5), the app without arguments syncs the
# built-in demo company (the Exact Online simulator, in-process, signed in through the real OAuth
# code flow) into its offline cache headlessly, with progress bars and a summary. Arguments are
# passed on: `scripts/run.sh status --demo`, `scripts/run.sh login --region nl ...`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
exec cargo run --release --locked -q -p exact-offline -- "$@"
