#!/usr/bin/env bash
# Installs what Tabel needs to build, test and run, from Debian's packages and (for the
# API docs page) the npm registry. Sourced, not executed:
#
#   source scripts/lib/deps.sh
#   tabel_install_deps build test   # or: build | test | run | deploy (test and run include build)
#   tabel_install_web_assets
#
# Quiet when everything is already installed. Needs root for apt-get.
set -euo pipefail

# The one list of Debian packages. `npm` is not here: it is installed from Debian only when
# no `npm` is on PATH (the machine's Node.js may ship its own).
TABEL_DEPS_BUILD=(
  g++ cmake ninja-build ccache pkg-config git
  libboost1.74-dev libsoci-dev libsqlite3-dev libpq-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  librabbitmq-dev libhiredis-dev libcurl4-openssl-dev libfmt-dev libkainjow-mustache-dev
  libsodium-dev libjwt-dev libssl-dev
  # The resignation-letter agent: OCR (with its Russian and English models) and PDF pages.
  libtesseract-dev libleptonica-dev libpoppler-cpp-dev tesseract-ocr-rus tesseract-ocr-eng
  # xlsxwriter.pc links -lz, but Debian's libxlsxwriter-dev does not depend on zlib1g-dev.
  libxlsxwriter-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy tzdata
)
TABEL_DEPS_TEST=(
  postgresql postgresql-contrib rabbitmq-server redis-server python3-aiosmtpd curl haproxy
  # tests/agent/generate.py: synthetic letters in printed and handwriting-like Cyrillic fonts.
  python3-pil fonts-dejavu-core fonts-liberation fonts-klee
)
TABEL_DEPS_RUN=(tzdata tesseract-ocr-rus tesseract-ocr-eng)
# What scripts/check-deploy runs. `kubernetes-client` (kubectl 1.20, whose kustomize is the
# oldest the manifests must render with) is installed only when no `kubectl` is on PATH: a
# machine's own kubectl package may own /usr/bin/kubectl. Debian's prometheus package would
# start a service: _tabel_apt_install keeps it from starting.
TABEL_DEPS_DEPLOY=(yamllint prometheus nginx curl binutils)

_TABEL_DEPS_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_TABEL_APT_UPDATED="${_TABEL_APT_UPDATED:-0}"
# Wait for another apt/dpkg run on this machine instead of failing on its lock.
_TABEL_APT_OPTS=(-o DPkg::Lock::Timeout=600)

# _tabel_missing_pkgs PKG...: prints those of the given packages that dpkg does not report as
# fully installed, one per line (one dpkg-query call: it is slow to start).
_tabel_missing_pkgs() {
  local -A installed=()
  local pkg status
  while read -r pkg status; do
    [[ "$status" == "install ok installed" ]] && installed[$pkg]=1
  done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)
  for pkg in "$@"; do
    [[ -n "${installed[$pkg]:-}" ]] || printf '%s\n' "$pkg"
  done
}

# _tabel_apt_install PKG...: installs the given packages (all assumed missing), running
# `apt-get update` at most once per invocation of the calling script. Services the packages
# ship (postgresql, rabbitmq-server, redis-server) are not started: the tests start their own.
_tabel_apt_install() {
  (($# > 0)) || return 0
  if ((EUID != 0)); then
    echo "tabel: missing packages: $* (run as root, or install them: apt-get install $*)" >&2
    return 1
  fi
  echo "tabel: installing Debian packages: $*" >&2
  if ((_TABEL_APT_UPDATED == 0)); then
    apt-get "${_TABEL_APT_OPTS[@]}" update -qq
    _TABEL_APT_UPDATED=1
  fi
  local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get "${_TABEL_APT_OPTS[@]}" install -y -qq --no-install-recommends "$@" || rc=$?
  if ((own_policy)); then
    rm -f "$policy"
  fi
  return "$rc"
}

# tabel_install_deps [build|test|run|deploy]...: installs the missing packages of the given
# sets (default: build). `test` and `run` include `build`.
tabel_install_deps() {
  local -a wanted=() missing=()
  local set
  (($# > 0)) || set -- build
  for set in "$@"; do
    case "$set" in
      build) wanted+=("${TABEL_DEPS_BUILD[@]}") ;;
      test) wanted+=("${TABEL_DEPS_BUILD[@]}" "${TABEL_DEPS_TEST[@]}") ;;
      run) wanted+=("${TABEL_DEPS_BUILD[@]}" "${TABEL_DEPS_RUN[@]}") ;;
      deploy)
        wanted+=("${TABEL_DEPS_DEPLOY[@]}")
        command -v kubectl >/dev/null 2>&1 || wanted+=(kubernetes-client)
        ;;
      *)
        echo "tabel_install_deps: unknown set '$set' (expected build, test, run or deploy)" >&2
        return 2
        ;;
    esac
  done
  mapfile -t missing < <(_tabel_missing_pkgs "${wanted[@]}" | sort -u)
  if ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
  fi
  _tabel_apt_install "${missing[@]}"
}

# tabel_install_web_assets: installs swagger-ui-dist into web/node_modules from the
# committed web/package-lock.json; skipped when already there.
tabel_install_web_assets() {
  local web="$_TABEL_DEPS_REPO_ROOT/web"
  if [[ -f "$web/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    _tabel_apt_install npm
  fi
  echo "tabel: installing web assets (swagger-ui-dist) into web/node_modules" >&2
  # --ignore-scripts: swagger-ui-dist needs none; its @scarf/scarf dependency would only
  # try to send install analytics.
  (cd "$web" && npm ci --no-audit --no-fund --silent --ignore-scripts)
}
