#!/usr/bin/env bash
# WebDriver end-to-end tests of the real app (tests/tests/ui.rs): installs what is missing, builds the
# UI and the app, starts Xvfb (unless a display is usable) and tauri-driver, runs the scenarios one at
# a time and exits with their status. Idempotent; called by scripts/test.sh after the unit tests.
# Screenshots: target/test-output/screenshots/. Driver log: target/test-output/tauri-driver.log.
#
# UI_TESTS_SKIP_BUILD=1 skips the app build (use what is already built).
# Extra arguments go to the test runner, e.g. `scripts/ui-tests.sh items_search_and_detail`.
# EXACT_OFFLINE_APP=PATH tests that program instead of target/debug/exact-offline (tests/src/ui.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

out=target/test-output
mkdir -p "$out/screenshots"
# A whole run starts from no screenshots; a run of some scenarios (a filter, as scripts/install-test.sh
# passes) keeps the others' from the last whole run.
if [ $# -eq 0 ]; then rm -f "$out/screenshots/"*.png; fi

step "system packages, tauri-driver"
setup_test_tools
tauri-driver --version 2>/dev/null || command -v tauri-driver

if [ "${UI_TESTS_SKIP_BUILD:-}" != 1 ]; then
  step "build the app"
  cargo build -p exact-offline --locked
fi
cargo build -p exact-offline-tests --tests --locked

# Processes started here, stopped on exit (SIGTERM: a killed tauri-driver leaves WebKitWebDriver
# holding its port and the next run hangs).
xvfb_pid=""
driver_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck does not follow
cleanup() {
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    kill -TERM "$driver_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$driver_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -n "$xvfb_pid" ] && kill -0 "$xvfb_pid" 2>/dev/null; then
    kill -TERM "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

display_usable() { [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1; }

step "display"
if display_usable; then
  echo "using DISPLAY=$DISPLAY"
else
  export DISPLAY=:99
  if display_usable; then
    echo "using the X server already on $DISPLAY"
  else
    Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 100); do display_usable && break; sleep 0.1; done
    display_usable || { echo "Xvfb did not start: $(cat "$out/xvfb.log")" >&2; exit 1; }
    echo "started Xvfb on $DISPLAY (pid $xvfb_pid)"
  fi
fi
# Software rendering: no GPU under Xvfb (avoids blank windows and screenshots).
export WEBKIT_DISABLE_DMABUF_RENDERER="${WEBKIT_DISABLE_DMABUF_RENDERER:-1}"
export LIBGL_ALWAYS_SOFTWARE="${LIBGL_ALWAYS_SOFTWARE:-1}"

listener_pids() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }

step "tauri-driver on port 4444"
# A tauri-driver on 4444 is another run's (its WebKitWebDriver on 4445 is left alone); without one,
# a WebKitWebDriver on 4445 is a leftover of a killed run.
if [ -n "$(listener_pids 4444)" ]; then
  echo "port 4444 is taken (pid $(listener_pids 4444 | tr '\n' ' ')): stop that tauri-driver first" >&2
  exit 1
fi
for pid in $(listener_pids 4445); do
  echo "stopping a leftover WebKitWebDriver on port 4445 (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
done
for _ in $(seq 50); do [ -z "$(listener_pids 4445)" ] && break; sleep 0.1; done
tauri-driver --port 4444 --native-port 4445 >"$out/tauri-driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null http://127.0.0.1:4444/status && break
  kill -0 "$driver_pid" 2>/dev/null || { echo "tauri-driver exited: $(cat "$out/tauri-driver.log")" >&2; exit 1; }
  sleep 0.1
done
echo "tauri-driver running (pid $driver_pid)"

step "WebDriver scenarios (one at a time)"
# The installed package's scenario needs the package: scripts/install-test.sh runs it by name.
nextest_skip=()
test_skip=()
if [ $# -eq 0 ]; then
  nextest_skip=(-E 'not test(=installed_app_reaches_the_items_list)')
  test_skip=(--skip installed_app_reaches_the_items_list)
fi
status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run -p exact-offline-tests --locked --run-ignored only -j 1 --no-capture \
    --no-fail-fast "${nextest_skip[@]}" "$@" || status=$?
else
  cargo test -p exact-offline-tests --locked --test ui -- --ignored --test-threads 1 \
    "${test_skip[@]}" "$@" || status=$?
fi
echo "screenshots: $out/screenshots/"
exit "$status"
