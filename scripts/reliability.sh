#!/usr/bin/env bash
# The long version of the reliability suite (src-tauri/tests/exact_offline/reliability.rs): 25 SIGKILLs at
# random moments, a 10-minute soak of incremental syncs under mutations and faults, a full disk
# (needs root or CAP_SYS_ADMIN for its tmpfs), and two syncs at once on one data folder.
# Prints each scenario's counts at the end. Replay a failure with RELIABILITY_SEED=<printed seed>.
#   scripts/reliability.sh                 the long version
#   RELIABILITY_KILLS=10 RELIABILITY_SOAK_SECS=60 scripts/reliability.sh   the normal size
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

export RELIABILITY_KILLS="${RELIABILITY_KILLS:-25}"
export RELIABILITY_SOAK_SECS="${RELIABILITY_SOAK_SECS:-600}"

printf '\n== build\n'
cargo build -p exact-offline --tests --locked

printf '\n== reliability: %s kills, %s s soak\n' "$RELIABILITY_KILLS" "$RELIABILITY_SOAK_SECS"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
if cargo nextest --version >/dev/null 2>&1; then
  # --no-capture runs the tests one after another, so their timings do not disturb each other.
  cargo nextest run -p exact-offline --test exact_offline --no-capture --no-fail-fast --locked -E 'test(/^reliability::/)' 2>&1 | tee "$log" || status=$?
else
  cargo test -p exact-offline --test exact_offline --locked -- reliability:: --nocapture --test-threads 1 2>&1 | tee "$log" || status=$?
fi

printf '\n== counts\n'
grep -E '^\[(kill -9|soak|full disk|two processes)\]' "$log" | grep -v ' kill [0-9]*/' || true
exit "$status"
