#!/usr/bin/env bash
# Tests the Linux packages as a user gets them. The .deb: installs the newest one in
# target/release/bundle/deb/ with apt-get, checks the program, its menu entry and its icons,
# launches the INSTALLED program through the WebDriver harness on the demo company up to the items
# list with rows (the `installed_app_reaches_the_items_list` scenario, screenshot
# target/test-output/screenshots/installed-items-list.png), then purges the package and checks that
# nothing it installed is left. The .rpm, after it: installs the newest one in
# target/release/bundle/rpm/ with Debian's rpm into a throwaway root, checks that it installs the
# same files as the .deb, that its program runs and says the same version, that it requires
# WebKitGTK 4.1 and GTK 3, and that its menu entry validates; then erases it and checks that none of
# its files is left. scripts/package.sh makes the packages first when one is missing.
# Debian/Ubuntu only; needs root or sudo.
#
# `--rpm-only` runs the .rpm part alone (it still reads the .deb, to compare). INSTALL_TEST_BUNDLE
# names another bundle folder (holding deb/ and rpm/) than target/release/bundle; nothing is built
# for it.
#
# Idempotent: a copy installed before is purged first; a failure purges what this run installed,
# and the throwaway root goes in any case. Exits non-zero, saying what failed, on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_package_tools

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "install-test: $*" >&2
  exit 1
}
rpm_only=0
case "${1:-}" in
  "") ;;
  --rpm-only) rpm_only=1 ;;
  *) fail "unknown argument '$1' (usage: scripts/install-test.sh [--rpm-only])" ;;
esac
command -v dpkg-deb >/dev/null 2>&1 || fail "not a Debian-like system: the .deb cannot be installed here"
command -v rpm >/dev/null 2>&1 || fail "rpm is missing (scripts/setup.sh installs it): the .rpm cannot be checked"

started=$SECONDS
bundle=${INSTALL_TEST_BUNDLE:-target/release/bundle}
# The newest package of a kind (deb, rpm) in the bundle folder, or nothing.
newest() {
  [ -d "$bundle/$1" ] || return 0
  find "$bundle/$1" -maxdepth 1 -name "*.$1" -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-
}
missing=()
for kind in deb rpm; do
  [ -n "$(newest "$kind")" ] || missing+=("$kind")
done
if [ ${#missing[@]} -gt 0 ]; then
  kinds=$(IFS=,; echo "${missing[*]}")
  [ -z "${INSTALL_TEST_BUNDLE:-}" ] || fail "no package ($kinds) in $bundle"
  step "no package ($kinds) in $bundle: scripts/package.sh"
  PACKAGE_BUNDLES=$kinds scripts/package.sh
fi
deb=$(newest deb)
rpm_file=$(newest rpm)
[ -n "$deb" ] || fail "no .deb in $bundle/deb"
[ -n "$rpm_file" ] || fail "no .rpm in $bundle/rpm"
deb=$(realpath "$deb")
rpm_file=$(realpath "$rpm_file")
package=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
echo "package $package $version: $deb ($(du -h "$deb" | cut -f1))"

installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^.[ic]'; }
purge() { as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$package" >/dev/null; }

# Temporary files and folders, removed on exit (the throwaway root holds files of root's).
temps=()
# From the .deb's install on, a failure leaves nothing installed.
ours=0
# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck does not follow
cleanup() {
  if [ "$ours" = 1 ] && installed; then
    echo "install-test: purging $package after the failure" >&2
    purge || true
  fi
  if [ ${#temps[@]} -gt 0 ]; then
    as_root rm -rf "${temps[@]}" || true
  fi
}
trap cleanup EXIT

# Each menu entry a package installs (its paths in $2, one a line; installed under the root $1)
# validates, runs exact-offline and names an icon the package installs in hicolor; there is one
# at least. $3 names the package in messages.
check_menu_entries() {
  local root=$1 paths=$2 what=$3 entry icon entries=0
  while IFS= read -r entry; do
    desktop-file-validate "$root$entry" || fail "$what's $entry does not validate (desktop-file-validate)"
    grep -qx 'Exec=exact-offline' "$root$entry" || fail "$what's $entry does not run exact-offline"
    icon=$(sed -n 's/^Icon=//p' "$root$entry")
    grep -q "^/usr/share/icons/hicolor/[^/]*/apps/$icon\.png$" <<<"$paths" ||
      fail "$what's $entry names the icon '$icon', which $what does not install"
    echo "menu entry $entry: valid, Icon=$icon"
    entries=$((entries + 1))
  done < <(grep '^/usr/share/applications/.*\.desktop$' <<<"$paths")
  [ "$entries" -gt 0 ] || fail "$what installs no .desktop file under /usr/share/applications"
}

# The .rpm, installed into a throwaway root by Debian's rpm, compared with the .deb, erased.
test_rpm() {
  step "the .rpm: $rpm_file ($(du -h "$rpm_file" | cut -f1))"
  local name rpm_version requires scriptlets debroot root
  name=$(rpm -qp --qf '%{NAME}' "$rpm_file") || fail "rpm cannot read $rpm_file"
  rpm_version=$(rpm -qp --qf '%{VERSION}' "$rpm_file")
  echo "package $name $rpm_version-$(rpm -qp --qf '%{RELEASE}' "$rpm_file")"
  [ "$name" = "$package" ] || fail "the .rpm is named '$name', the .deb '$package'"
  [ "$rpm_version" = "$version" ] || fail "the .rpm is version $rpm_version, the .deb $version"

  step "the .rpm's dependencies (rpm -qpR)"
  requires=$(rpm -qpR "$rpm_file")
  echo "  ${requires//$'\n'/$'\n'  }"
  # As sonames (rpmbuild's automatic ones) or as Fedora's package names.
  grep -Eq '^(libwebkit2gtk-4\.1\.so|webkit2gtk4\.1)' <<<"$requires" ||
    fail "the .rpm does not require WebKitGTK 4.1 (libwebkit2gtk-4.1.so.0 or webkit2gtk4.1)"
  grep -Eq '^(libgtk-3\.so|gtk3)' <<<"$requires" ||
    fail "the .rpm does not require GTK 3 (libgtk-3.so.0 or gtk3)"

  debroot=$(mktemp -d)
  root=$(mktemp -d)
  temps+=("$debroot" "$root")
  dpkg-deb -x "$deb" "$debroot" || fail "dpkg-deb cannot unpack $deb"
  # The rpm database inside the root, wherever this system's rpm keeps its own. Debian's rpm warns
  # against installing on Debian unless told it is meant (--force-debian).
  rpm_root() { as_root rpm --root "$root" --dbpath /var/lib/rpm "$@"; }

  step "install into a throwaway root ($root)"
  scriptlets=$(rpm -qp --scripts "$rpm_file")
  echo "scriptlets: ${scriptlets:-none}"
  rpm_root --initdb || fail "rpm cannot make a database in $root"
  # --nodeps: the root's rpm database is empty, so nothing there provides WebKitGTK or GTK (on
  # Debian they are dpkg's); the dependencies are checked by name above instead. --noscripts: a
  # scriptlet would run chrooted into a root without a shell.
  rpm_root -i --nodeps --noscripts --force-debian "$rpm_file" || fail "rpm could not install $rpm_file into $root"
  rpm_root -q "$name" >/dev/null || fail "$name is not installed in $root after rpm -i"

  # The files (not folders: the .deb lists the folders it makes, the .rpm owns none) of each.
  local deb_files rpm_files path
  deb_files=$(cd "$debroot" && find . ! -type d -printf '/%P\n' | LC_ALL=C sort)
  rpm_files=$(rpm_root -ql "$name" | while IFS= read -r path; do
    [ -d "$root$path" ] && [ ! -L "$root$path" ] || printf '%s\n' "$path"
  done | LC_ALL=C sort)
  [ "$(rpm -qpl "$rpm_file" | LC_ALL=C sort)" = "$(rpm_root -ql "$name" | LC_ALL=C sort)" ] ||
    fail "rpm -ql in $root lists other paths than rpm -qpl of $rpm_file"
  while IFS= read -r path; do
    [ -e "$root$path" ] || fail "$path is listed by the .rpm but not installed in $root"
  done <<<"$rpm_files"
  if [ "$deb_files" != "$rpm_files" ]; then
    diff <(echo "$deb_files") <(echo "$rpm_files") | sed 's/^/  /' >&2 || true
    fail "the .rpm installs other files than the .deb (< .deb, > .rpm)"
  fi
  echo "files: the same $(grep -c . <<<"$rpm_files") as the .deb's"

  step "the .rpm's program, menu entry and icons"
  grep -qx /usr/bin/exact-offline <<<"$rpm_files" || fail "the .rpm installs no /usr/bin/exact-offline"
  local rpm_says deb_says
  rpm_says=$("$root/usr/bin/exact-offline" --version) || fail "the .rpm's program does not run (--version)"
  deb_says=$("$debroot/usr/bin/exact-offline" --version) || fail "the .deb's program does not run (--version)"
  [ "$rpm_says" = "$deb_says" ] || fail "the .rpm's program says '$rpm_says', the .deb's '$deb_says'"
  echo "$root/usr/bin/exact-offline --version: $rpm_says (the .deb's says the same)"
  check_menu_entries "$root" "$rpm_files" "the .rpm"

  step "erase (rpm -e)"
  rpm_root -e --noscripts --force-debian "$name" || fail "rpm -e $name failed in $root"
  if rpm_root -q "$name" >/dev/null 2>&1; then
    fail "$name is still installed in $root after rpm -e"
  fi
  # The folders rpm made for the files stay: the package owns none of them (on Fedora the
  # filesystem and hicolor-icon-theme packages do).
  local left
  left=$(cd "$root" && find . ! -type d ! -path './var/lib/rpm/*' -printf '/%P\n')
  [ -z "$left" ] || fail "files are left in $root after rpm -e: $left"
  echo "erased: none of its $(grep -c . <<<"$rpm_files") files is left"
}

if [ "$rpm_only" = 1 ]; then
  test_rpm
  echo
  echo "install test of the .rpm passed in $((SECONDS - started)) s"
  exit 0
fi

step "a copy installed before"
if installed; then
  echo "purging the installed $package $(dpkg-query -W -f='${Version}' "$package")"
  purge
else
  echo "none"
fi

step "install (apt-get install ./$(basename "$deb"))"
# Recommends (xdg-utils) are left out so that the test needs no download; Depends must be met.
ours=1
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null ||
  fail "apt-get could not install $deb"
installed || fail "$package is not installed after apt-get install"
files=$(mktemp)
temps+=("$files")
dpkg -L "$package" >"$files"
echo "$package installed $(grep -c . "$files") paths"

step "the installed program, menu entry and icons"
program=$(command -v exact-offline || true)
[ "$program" = /usr/bin/exact-offline ] || fail "command -v exact-offline gives '${program:-nothing}', not /usr/bin/exact-offline"
echo "command -v exact-offline: $program ($("$program" --version))"
check_menu_entries "" "$(cat "$files")" "the .deb"
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
temps+=("$launch_marker")
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

test_rpm

echo
echo "install test passed in $((SECONDS - started)) s"
