#!/usr/bin/env bash
# Goes through every install step of scripts/setup.sh as a fresh machine would, with all packages
# treated as missing and each package manager in simulate mode (SETUP_SIMULATE=1): a broken install
# line fails here on any machine, warm or fresh. Runs the steps twice: with no privilege prefix, as
# for root, and with one, as for sudo (`env` stands in for sudo: it runs its arguments as they are,
# so nothing asks for a password). Called by scripts/test.sh in the lint step.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for prefix in "" env; do
  label=${prefix:-none}
  if SETUP_SIMULATE=1 SETUP_SUDO="$prefix" bash -euo pipefail -c '. scripts/setup.sh; setup_test_tools; setup_package_tools' 2>"$log"; then
    echo "install steps, simulated (privilege prefix: $label): ok"
  else
    echo "install steps, simulated (privilege prefix: $label): failed" >&2
    cat "$log" >&2
    status=1
  fi
done
exit "$status"
