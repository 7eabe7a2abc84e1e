#!/usr/bin/env bash
# Installs the Debian 12 packages Yiwang needs, only those missing. Idempotent; needs root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libboost-system-dev nlohmann-json3-dev libexpected-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql libssl-dev libsodium-dev libxapian-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # password quality (等保 口令复杂度): libpwquality with cracklib's dictionary
  libpwquality-dev cracklib-runtime
  # second factor: RFC 6238 TOTP (oath-toolkit's liboath)
  liboath-dev
  # clang for the -Wthread-safety check of the lock annotations (ctest thread_safety) and the
  # fuzz targets, with libFuzzer's runtime (only recommended by clang; ctest fuzz_smoke)
  clang libclang-rt-14-dev
  libqrencode-dev zlib1g-dev libpoppler-cpp-dev libfasttext-dev libgeos-dev
  # pinyin for search (ICU's Han-Latin transliterator, src/lexicon)
  libicu-dev
  libmosquitto-dev mosquitto
  curl wrk nginx-light
  # Independent checkers used by the tests: Go's sumdb note/tlog (ledger) and headless Chromium.
  golang-go golang-golang-x-mod-dev chromium
  # A CJK font for the headless browser, so that the pages' screenshots (build/artifacts) show
  # Chinese text rather than empty boxes
  fonts-wqy-microhei
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from another packaging with npm bundled: check the commands, not the packages.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages (exact versions from each package-lock.json): the web app's build and unit tests
# (web/), and the JavaScript interface and browser checks (tests/node).
for dir in web tests/node; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
