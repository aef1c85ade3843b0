#!/usr/bin/env bash
# Installs the system packages Bottleneck needs when they are missing, or says exactly how.
# Sourced by Chapters/run-all.sh and Tests/run-all.sh; safe to run on its own.
#   libpng-dev            PNG figures (libpng, linked through Sources/CLibPNG)
#   zlib1g-dev            reading the gzip-compressed IDX data files (Sources/CZlib)
#   pkg-config            lets SwiftPM find both libraries
#   gnuplot-nox           renders the plots (optional: without it the .gp scripts are still written)
#   dataset-fashion-mnist the data, in /usr/share/datasets/fashion-mnist
set -euo pipefail

bottleneck_packages=(libpng-dev zlib1g-dev pkg-config gnuplot-nox dataset-fashion-mnist)

bottleneck_missing_packages() {
  local missing=()
  for p in "${bottleneck_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

bottleneck_setup() {
  if ! command -v swift >/dev/null 2>&1; then
    echo "error: swift is not on PATH. Install Swift 6 from swift.org (https://www.swift.org/install/linux/) and retry." >&2
    return 1
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "note: not a Debian/Ubuntu system; make sure libpng, zlib, pkg-config and gnuplot are installed," >&2
    echo "      and pass --data-dir to a folder with the four Fashion-MNIST IDX files." >&2
    return 0
  fi
  local missing
  missing=$(bottleneck_missing_packages)
  [ -z "$missing" ] && return 0
  echo "Installing missing system packages: $missing"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "error: these packages are missing and this user cannot install them:" >&2
      echo "  apt-get update && apt-get install -y $missing   (run as root)" >&2
      return 1
    fi
  fi
  # shellcheck disable=SC2086
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null; }; then
    echo "error: could not install: $missing" >&2
    echo "  run: sudo apt-get update && sudo apt-get install -y $missing" >&2
    return 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then bottleneck_setup; fi
