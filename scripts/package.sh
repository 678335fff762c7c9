#!/usr/bin/env bash
# Builds the installers of the platform it runs on: .deb and .rpm on Linux, .app and .dmg on macOS,
# .msi and the NSIS setup .exe on Windows (Git Bash). Installs what is missing (scripts/setup.sh),
# builds the release binary once with cargo, then packages that binary with the pinned Tauri CLI's
# `tauri bundle`, which does not compile anything. Prints what it made, with sizes.
#
# Output: target/release/bundle/<kind>/, e.g. target/release/bundle/deb/Exact Offline_0.1.0_amd64.deb.
# PACKAGE_BUNDLES=deb chooses the kinds (comma-separated, as `tauri bundle --bundles` takes them).
# On Linux the .deb may be at most PACKAGE_MAX_DEB_MIB (default 20) MiB: a larger one fails.
#
# Signing (macOS, Windows) is Tauri's: it signs when the environment names an identity
# (APPLE_SIGNING_IDENTITY, or a certificate thumbprint in the config) and skips it otherwise; the
# release workflow (.github/workflows/release.yml) sets those up from its secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_package_tools

step() { printf '\n== %s\n' "$*"; }

binary=target/release/exact-offline
case "$(uname -s)" in
  Linux) bundles=deb,rpm ;;
  Darwin) bundles=app,dmg ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT)
    bundles=msi,nsis
    binary=$binary.exe
    ;;
  *)
    echo "package.sh: no installers are made on $(uname -s)" >&2
    exit 1
    ;;
esac
bundles=${PACKAGE_BUNDLES:-$bundles}

step "release binary (cargo build --release: LTO, one codegen unit; slow)"
started=$SECONDS
cargo build --release --locked -p exact-offline
echo "built $binary in $((SECONDS - started)) s"

step "installers: $bundles (tauri bundle, from $binary as built)"
# `tauri bundle` packages what `cargo build` left in target/release and runs no cargo build (nor
# build.beforeBuildCommand: the UI was built by setup.sh and is embedded in the binary). It
# writes into the binary's bundle-type marker (the updater reads it), which cargo does not track.
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
started=$SECONDS
(cd src-tauri && ../ui/node_modules/.bin/tauri bundle --bundles "$bundles")
echo "bundled in $((SECONDS - started)) s"

step "made"
made=()
while IFS= read -r -d '' file; do
  made+=("$file")
done < <(find target/release/bundle -mindepth 2 -maxdepth 2 -newer "$marker" \
  \( -name '*.deb' -o -name '*.rpm' -o -name '*.dmg' -o -name '*.app' -o -name '*.msi' -o -name '*.exe' \) -print0 | sort -z)
if [ ${#made[@]} -eq 0 ]; then
  echo "package.sh: tauri bundle made nothing under target/release/bundle" >&2
  exit 1
fi
status=0
for file in "${made[@]}"; do
  bytes=$(du -sb "$file" | cut -f1)
  printf '%s  %s bytes (%s MiB)\n' "$file" "$bytes" "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
  case "$file" in
    *.deb)
      limit=$((${PACKAGE_MAX_DEB_MIB:-20} * 1048576))
      if [ "$bytes" -gt "$limit" ]; then
        echo "package.sh: $file is larger than ${PACKAGE_MAX_DEB_MIB:-20} MiB" >&2
        status=1
      fi
      # The menu entry, checked before anyone installs it.
      if command -v desktop-file-validate >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
        entries=$(mktemp -d)
        dpkg-deb -x "$file" "$entries"
        for entry in "$entries"/usr/share/applications/*.desktop; do
          if desktop-file-validate "$entry"; then
            echo "  $(basename "$entry"): valid"
          else
            echo "package.sh: $(basename "$entry") in $file does not validate" >&2
            status=1
          fi
        done
        rm -rf "$entries"
      fi
      ;;
  esac
done
exit "$status"
