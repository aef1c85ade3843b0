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

# Runs one program; if it crashes (SIGILL, SIGTRAP, SIGABRT, SIGBUS or SIGSEGV: exit 132-135 or
# 139, not a clear error, nor Ctrl-C's 130 or SIGTERM's 143, after which a chapter keeps its
# checkpoints), says what has caused that here: an incremental build that kept objects compiled
# against an older layout of a type.
run() {
  local status=0
  "$@" || status=$?
  if [ "$status" -ge 132 ] && [ "$status" -le 135 ] || [ "$status" -eq 139 ]; then
    echo "error: $(basename "$1") crashed (exit $status). If this follows an update of the code," >&2
    echo "  an incremental build may have kept stale objects: rm -rf .build/*/release and run" >&2
    echo "  this again (README, When something goes wrong)." >&2
  fi
  return "$status"
}

for c in "${chapters[@]}"; do
  echo
  echo "==================== $c ===================="
  run "$bin/$c" "$@"
done

lab_args=()
for arg in "$@"; do
  case "$arg" in --quick | --no-plots) lab_args+=("$arg") ;; esac
done
echo
echo "==================== kernels (the kernel lab) ===================="
run "$bin/kernels" "${lab_args[@]+"${lab_args[@]}"}"

echo
echo "Done. Open output/ to see what each chapter made."
