# shellcheck shell=bash
# Sourced by the scripts: installs what a fresh Debian/Ubuntu machine lacks and builds the UI (the
# app embeds ui/dist). Sourcing runs the set-up the app needs (`setup_app`); the test scripts call
# `setup_test_tools` as well. Idempotent and quiet when everything is there.
#
# SETUP_SIMULATE=1 goes through every install step as if nothing were installed, with each package
# manager in its simulate mode (apt-get -s, npm ci --dry-run, a stand-in for the rustup installer),
# so that a broken install line fails on a machine that has everything (scripts/check-setup.sh).
# SETUP_SUDO overrides the privilege prefix ("" as root, "sudo" otherwise).

app_packages=(build-essential pkg-config curl ca-certificates libssl-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev)
# The WebDriver tests: a virtual display, WebKit's driver, screenshots, xdpyinfo, ss; shellcheck lints.
test_packages=(xvfb xauth webkit2gtk-driver imagemagick x11-utils iproute2 shellcheck)
# The installers (scripts/package.sh, scripts/install-test.sh): desktop-file-validate checks the
# .desktop entry; rpm installs the .rpm into a throwaway root. Tauri writes .deb and .rpm itself:
# neither dpkg-deb nor rpmbuild is needed to make them.
package_packages=(desktop-file-utils rpm)
tauri_driver_version=2.1.0
cargo_machete_version=0.9.2

setup_simulate() { [ "${SETUP_SIMULATE:-}" = 1 ]; }

# Runs "$@" with root rights: as is when root, else through sudo.
as_root() {
  local sudo
  if [ -n "${SETUP_SUDO+set}" ]; then sudo=$SETUP_SUDO; elif [ "$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi
  $sudo "$@"
}

# Installs the Debian packages among "$@" that are missing.
apt_install() {
  command -v dpkg >/dev/null 2>&1 || { echo "not a Debian-like system: install $* yourself" >&2; return 0; }
  local missing=() package
  for package in "$@"; do
    if setup_simulate || ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]}" >&2
  local simulate=()
  if setup_simulate; then
    simulate=(-s)
  else
    as_root apt-get update -qq
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${simulate[@]}" install -y -qq "${missing[@]}" >/dev/null
}

# The rustup installer script; in simulate mode a stand-in that only reports its arguments (the
# real one is fetched from sh.rustup.rs, which a simulation must not run).
rustup_installer() {
  if setup_simulate; then
    printf '%s\n' 'echo "rustup-init $*" >&2'
  else
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs
  fi
}

rust_install() {
  if setup_simulate || ! command -v cargo >/dev/null 2>&1; then
    if ! setup_simulate && [ -x "$HOME/.cargo/bin/cargo" ]; then
      export PATH="$HOME/.cargo/bin:$PATH"
    else
      echo "installing the Rust toolchain (rustup)" >&2
      rustup_installer | sh -s -- -y --profile minimal -c rustfmt,clippy >/dev/null
      export PATH="$HOME/.cargo/bin:$PATH"
    fi
  fi
  command -v rustup >/dev/null 2>&1 || return 0
  local component
  for component in rustfmt clippy; do
    if setup_simulate || ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      # Adding an installed component changes nothing, so the simulation runs it as is.
      rustup component add "$component" >/dev/null 2>&1 || echo "rustup could not add $component" >&2
    fi
  done
}

# The UI's packages (again whenever package-lock.json changed; npm ci wipes node_modules).
ui_packages() {
  if setup_simulate; then
    (cd ui && npm ci --dry-run --no-audit --no-fund --loglevel=error >/dev/null)
  elif [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "installing the UI's packages (npm ci)" >&2
    (cd ui && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# Builds the UI into ui/dist, writing only the files whose content changed: the app embeds ui/dist
# and cargo rebuilds it when one of those files is newer than the last build (minutes for the
# release build), so an unchanged UI must leave the files as they were.
ui_build() {
  setup_simulate && return 0
  local fresh file
  fresh=$(mktemp -d)
  (cd ui && npm run --silent build -- --outDir "$fresh" --emptyOutDir >/dev/null)
  mkdir -p ui/dist
  while IFS= read -r -d '' file; do
    if ! cmp -s "$fresh/$file" "ui/dist/$file"; then
      mkdir -p "ui/dist/$(dirname "$file")"
      cp "$fresh/$file" "ui/dist/$file"
    fi
  done < <(cd "$fresh" && find . -type f -print0)
  while IFS= read -r -d '' file; do
    [ -e "$fresh/$file" ] || rm -f "ui/dist/$file"
  done < <(cd ui/dist && find . -type f -print0)
  rm -rf "$fresh"
}

# A Rust tool from crates.io at its pinned version: tauri-driver (the WebDriver server in front of
# WebKitWebDriver) and cargo-machete (finds unused dependencies).
cargo_tool_install() {
  local tool=$1 version=$2
  if setup_simulate || ! cargo install --list | grep -q "^$tool v$version:"; then
    # With that version installed this changes nothing, so the simulation runs it as is; on a machine
    # without it, a simulation is the install.
    echo "installing $tool $version" >&2
    cargo install --quiet --locked "$tool" --version "$version"
  fi
}

setup_app() {
  local packages=("${app_packages[@]}")
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
  apt_install "${packages[@]}"
  rust_install
  ui_packages
  ui_build
}

setup_test_tools() {
  apt_install "${test_packages[@]}"
  cargo_tool_install tauri-driver "$tauri_driver_version"
  cargo_tool_install cargo-machete "$cargo_machete_version"
}

setup_package_tools() {
  apt_install "${package_packages[@]}"
}

setup_app
