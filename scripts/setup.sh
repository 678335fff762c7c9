# Sourced by the run and test scripts: makes sure the build tools, the desktop libraries Tauri
# links against, Node.js and the UI's packages are present on a fresh Debian/Ubuntu machine, and
# that the UI is built (the app embeds ui/dist). Idempotent and quiet when everything is there.
apt_packages=(build-essential pkg-config curl ca-certificates libssl-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs npm)

# Installs the Debian packages among "$@" that are missing.
apt_install() {
  command -v dpkg >/dev/null 2>&1 || { echo "not a Debian-like system: install $* yourself" >&2; return 0; }
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]}" >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
apt_install "${apt_packages[@]}"

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "installing the Rust toolchain (rustup)" >&2
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy >/dev/null
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component" >/dev/null 2>&1 || true
  done
fi

# The UI's packages (again whenever package-lock.json changed) and its build.
ui_build() {
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "installing the UI's packages (npm ci)" >&2
    (cd ui && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  (cd ui && npm run --silent build >/dev/null)
}
ui_build
