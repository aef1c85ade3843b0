#!/usr/bin/env bash
# Runs every chapter in order, in release mode, writing figures and metrics into output/<chapter>/.
# Extra arguments go to every chapter, e.g.  bash Chapters/run-all.sh --quick
set -euo pipefail
cd "$(dirname "$0")/.."
source Chapters/setup.sh
bottleneck_setup

chapters=(vanilla)

echo "Building in release mode (the first build takes a few minutes)..."
swift build -c release --product kernels >/dev/null
for c in "${chapters[@]}"; do swift build -c release --product "$c" >/dev/null; done
bin=$(swift build -c release --show-bin-path)
for c in "${chapters[@]}"; do
  echo
  echo "==================== $c ===================="
  "$bin/$c" "$@"
done
echo
echo "Done. Open output/ to see what each chapter made."
