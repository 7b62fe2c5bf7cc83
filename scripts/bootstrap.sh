#!/usr/bin/env bash
# Installs every Debian package itrade needs to build and test. Idempotent: when all are
# present it changes nothing and asks no server.
set -euo pipefail

packages=(
  g++ cmake ninja-build make pkg-config git ca-certificates tzdata
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libhowardhinnant-date-dev libfast-float-dev zlib1g-dev libxxhash-dev libxgboost-dev
  libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev
  chromium
)
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
