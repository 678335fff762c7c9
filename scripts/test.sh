#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine: installs what is missing, then runs
# formatting, the UI's type check, lint, format and component tests, lints, every Rust test, the
# WebDriver tests of the real app under Xvfb (scripts/ui-tests.sh), and the installers: built
# (scripts/package.sh), then the .deb installed, launched and removed and the .rpm installed into a
# throwaway root, compared with it and removed (scripts/install-test.sh).
# Used by .ci/run; run it yourself the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_test_tools

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "ui: types, lint, format, components"
(cd ui && npm run --silent check && npm run --silent lint && npm run --silent format:check \
  && npx vitest run --reporter=dot)

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo machete
shellcheck -x scripts/*.sh .ci/run
scripts/check-setup.sh

step "tests"
status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast || status=$?
else
  log=$(mktemp)
  cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log" || status=$?
  # One closing line for the whole run (cargo prints one per test binary).
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
       END { printf "%d passed, %d failed\n", p, f }' "$log"
  rm -f "$log"
fi

step "ui: end-to-end (WebDriver, the real app under Xvfb)"
scripts/ui-tests.sh || status=$?

step "package: build, install, launch, remove"
# The release build and this platform's installers, then the .deb installed with apt-get, the
# installed program launched on the demo company to its items list, and purged.
{ scripts/package.sh && scripts/install-test.sh; } || status=$?
exit "$status"
