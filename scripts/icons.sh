#!/usr/bin/env bash
# Makes every app icon the platforms need from icons/source.svg, with the pinned Tauri CLI
# (`tauri icon`, which reads SVG itself): the PNGs the Linux packages install (32, 64, 128, 256 and
# 512 px; the first PNG in tauri.conf.json is also the window's and the tray's icon), icon.icns for
# macOS and icon.ico for Windows. What `tauri icon` makes for Android, iOS and the Windows Store
# (Square*Logo.png, StoreLogo.png) is left out: nothing here builds those. Run it after editing the
# SVG, then commit the results.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

out=$(mktemp -d)
trap 'rm -rf "$out" "$out.log"' EXIT
if ! (cd ui && npx --no-install tauri icon ../icons/source.svg --output "$out") >"$out.log" 2>&1; then
  cat "$out.log" >&2
  exit 1
fi
for icon in 32x32.png 64x64.png 128x128.png 128x128@2x.png icon.png icon.icns icon.ico; do
  cp "$out/$icon" "icons/$icon"
done
ls -l icons/
