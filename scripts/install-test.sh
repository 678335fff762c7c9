#!/usr/bin/env bash
# Tests the Linux package as a user gets it: installs the newest .deb in target/release/bundle/deb/
# (made by scripts/package.sh first when there is none) with apt-get, checks the program, its menu
# entry and its icons, launches the INSTALLED program through the WebDriver harness on the demo
# company up to the items list with rows (the `installed_app_reaches_the_items_list` scenario,
# screenshot target/test-output/screenshots/installed-items-list.png), then purges the package and
# checks that nothing it installed is left. Debian/Ubuntu only; needs root or sudo.
#
# Idempotent: a copy installed before is purged first; a failure purges what this run installed.
# Exits non-zero, saying what failed, on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_package_tools

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "install-test: $*" >&2
  exit 1
}
command -v dpkg-deb >/dev/null 2>&1 || fail "not a Debian-like system: the .deb cannot be installed here"

started=$SECONDS
bundle_dir=target/release/bundle/deb
newest_deb() {
  [ -d "$bundle_dir" ] || return 0
  find "$bundle_dir" -maxdepth 1 -name '*.deb' -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-
}
deb=$(newest_deb)
if [ -z "$deb" ]; then
  step "no .deb in $bundle_dir: scripts/package.sh"
  PACKAGE_BUNDLES=deb scripts/package.sh
  deb=$(newest_deb)
  [ -n "$deb" ] || fail "scripts/package.sh made no .deb in $bundle_dir"
fi
deb=$(realpath "$deb")
package=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
echo "package $package $version: $deb ($(du -h "$deb" | cut -f1))"

installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^.[ic]'; }
purge() { as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$package" >/dev/null; }

step "a copy installed before"
if installed; then
  echo "purging the installed $package $(dpkg-query -W -f='${Version}' "$package")"
  purge
else
  echo "none"
fi

# From here on a failure leaves nothing installed.
ours=0
# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck does not follow
cleanup() {
  if [ "$ours" = 1 ] && installed; then
    echo "install-test: purging $package after the failure" >&2
    purge || true
  fi
}
trap cleanup EXIT

step "install (apt-get install ./$(basename "$deb"))"
# Recommends (xdg-utils) are left out so that the test needs no download; Depends must be met.
ours=1
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null ||
  fail "apt-get could not install $deb"
installed || fail "$package is not installed after apt-get install"
files=$(mktemp)
trap 'rm -f "$files"; cleanup' EXIT
dpkg -L "$package" >"$files"
echo "$package installed $(grep -c . "$files") paths"

step "the installed program, menu entry and icons"
program=$(command -v exact-offline || true)
[ "$program" = /usr/bin/exact-offline ] || fail "command -v exact-offline gives '${program:-nothing}', not /usr/bin/exact-offline"
echo "command -v exact-offline: $program ($("$program" --version))"
entries=0
while IFS= read -r entry; do
  desktop-file-validate "$entry" || fail "$entry does not validate (desktop-file-validate)"
  grep -qx 'Exec=exact-offline' "$entry" || fail "$entry does not run exact-offline"
  icon=$(sed -n 's/^Icon=//p' "$entry")
  grep -q "^/usr/share/icons/hicolor/[^/]*/apps/$icon\.png$" "$files" ||
    fail "$entry names the icon '$icon', which the package does not install"
  echo "menu entry $entry: valid, Icon=$icon"
  entries=$((entries + 1))
done < <(grep '^/usr/share/applications/.*\.desktop$' "$files")
[ "$entries" -gt 0 ] || fail "the package installs no .desktop file under /usr/share/applications"
icons=$(grep -c '^/usr/share/icons/hicolor/[^/]*/apps/.*\.png$' "$files" || true)
[ "$icons" -gt 0 ] || fail "the package installs no icon under /usr/share/icons/hicolor/*/apps/"
while IFS= read -r icon; do
  [ -s "$icon" ] || fail "$icon is missing or empty"
done < <(grep '^/usr/share/icons/hicolor/[^/]*/apps/.*\.png$' "$files")
echo "icons: $icons ($(grep -o '^/usr/share/icons/hicolor/[^/]*' "$files" | sort -u | sed 's|.*/||' | tr '\n' ' '))"

step "the installed program, launched (WebDriver, demo company, items list)"
# scripts/ui-tests.sh refuses to start while another run holds tauri-driver's port: wait for it.
for _ in $(seq 240); do
  [ -z "$(ss -Hltn 'sport = :4444' 2>/dev/null)" ] && break
  echo "port 4444 is in use (another WebDriver run?): waiting"
  sleep 15
done
screenshot=target/test-output/screenshots/installed-items-list.png
rm -f "$screenshot"
launch_marker=$(mktemp)
trap 'rm -f "$files" "$launch_marker"; cleanup' EXIT
launched=$SECONDS
EXACT_OFFLINE_APP=/usr/bin/exact-offline UI_TESTS_SKIP_BUILD=1 \
  scripts/ui-tests.sh installed_app_reaches_the_items_list ||
  fail "the installed program did not reach the items list (see the output above and target/test-output/)"
[ -s "$screenshot" ] || fail "the scenario saved no $screenshot: did it run?"
echo "launched, synced the demo company and listed items in $((SECONDS - launched)) s (screenshot $screenshot)"
leftover_data=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'exact-offline-ui-installed-*' 2>/dev/null || true)
[ -z "$leftover_data" ] || fail "the scenario's data folder was not removed: $leftover_data"
# The scenario gives the program a data folder (--data-dir, a temporary folder, gone now): it must
# not have written the user's own folders (its data, config, cache, logs, WebKit's storage).
written=$(find "$HOME/.local/share" "$HOME/.config" "$HOME/.cache" "$HOME/.local/state" \
  \( -ipath '*exact*offline*' -o -ipath '*nl.exactoffline.app*' \) -newer "$launch_marker" 2>/dev/null || true)
[ -z "$written" ] || fail "the program wrote outside its data folder: $written"
echo "user data: only in the scenario's data folder, removed with it"

step "purge"
purge || fail "apt-get purge $package failed"
ours=0
installed && fail "$package is still installed after apt-get purge"
left=()
while IFS= read -r path; do
  [ "$path" = /. ] && continue
  if [ -d "$path" ] && [ ! -L "$path" ]; then
    # A folder stays when another package owns it too (/usr/bin, /usr/share/icons/hicolor/...).
    dpkg -S "$path" >/dev/null 2>&1 || left+=("$path")
  elif [ -e "$path" ] || [ -L "$path" ]; then
    left+=("$path")
  fi
done <"$files"
if [ ${#left[@]} -gt 0 ]; then
  printf '  %s\n' "${left[@]}" >&2
  fail "${#left[@]} paths the package installed are still there after the purge"
fi
echo "purged: none of the $(grep -c . "$files") paths it installed is left"

echo
echo "install test passed in $((SECONDS - started)) s"
