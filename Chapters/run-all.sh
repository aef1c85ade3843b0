#!/usr/bin/env bash
# Runs every chapter in order, in release mode, writing figures and metrics into output/<chapter>/,
# then the kernel lab (output/kernels/).
# Extra arguments go to every chapter, e.g.  bash Chapters/run-all.sh --quick  (the kernel lab
# takes --quick too, and ignores the training flags).
set -euo pipefail
cd "$(dirname "$0")/.."
source Chapters/setup.sh
bottleneck_setup

chapters=(vanilla denoising sparse contractive vae conv)

echo "Building in release mode (the first build takes a few minutes)..."
for product in "${chapters[@]}" kernels; do swift build -c release --product "$product" >/dev/null; done
bin=$(swift build -c release --show-bin-path)
for c in "${chapters[@]}"; do
  echo
  echo "==================== $c ===================="
  "$bin/$c" "$@"
done

lab_args=()
for arg in "$@"; do
  case "$arg" in --quick | --no-plots) lab_args+=("$arg") ;; esac
done
echo
echo "==================== kernels (the kernel lab) ===================="
"$bin/kernels" "${lab_args[@]+"${lab_args[@]}"}"

echo
echo "Done. Open output/ to see what each chapter made."
