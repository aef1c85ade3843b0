#!/usr/bin/env bash
# Builds the libFuzzer harnesses for the package's three file readers and runs each one.
#
#   bash Tests/Fuzz/fuzz.sh [seconds-per-harness] [harness ...]
#
# Harnesses (one Swift file each, next to this script):
#   idx          IDXFile.read(bytes:file:): gzip detection, zlib inflate, then the IDX header and size
#   safetensors  SafeTensors.read(bytes:path:): header length, JSON header, entries and layout
#   png          PNGImage.read(bytes:path:): libpng through the C shim, reading from memory
# Default: all three, 60 seconds each. Exit status 0 when no harness found anything, 1 when one
# crashed, hung (10 s on one input), leaked or asked for more than 2 GB (libFuzzer's limits), 2 on
# bad arguments or a failed build.
#
# How it is built: not with SwiftPM (a fuzz harness needs its own main, libFuzzer's, so it would be
# an extra executable target in Package.swift), but with swiftc and clang straight from the source
# folders, into .build-fuzz/fuzz. The modules below a reader (CPUSupport, Kernels, TensorCore,
# AtomicWrites) are compiled once with AddressSanitizer; the reader's module (Data, Checkpoint, or
# Figures with the PNGShim C code) with AddressSanitizer and libFuzzer's coverage instrumentation,
# then linked with the harness and libFuzzer. zlib and libpng are the system's, uninstrumented:
# their code is not coverage-guided here (both are fuzzed upstream), ours is. Objects are rebuilt
# only when a source file or this script is newer.
#
# How it runs: each harness starts from the committed seeds in corpus/<harness>/ (real files),
# copied to .build-fuzz/fuzz/run/<harness>/corpus, so the inputs libFuzzer adds never touch the
# committed corpus. A crash's input lands in .build-fuzz/fuzz/run/<harness>/ as crash-*, leak-*,
# timeout-* or oom-*; rerun one with `.build-fuzz/fuzz/bin/fuzz-<harness> <file>`. The whole log
# is .build-fuzz/fuzz/run/<harness>/log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/.build-fuzz/fuzz"
all_harnesses=(idx safetensors png)

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: bash Tests/Fuzz/fuzz.sh [seconds-per-harness] [harness ...]" >&2
  echo "  seconds: a whole number >= 1 (got '$seconds'); harnesses: ${all_harnesses[*]}" >&2
  exit 2
fi
shift $(($# > 0 ? 1 : 0))
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=("${all_harnesses[@]}")
for harness in "${harnesses[@]}"; do
  case " ${all_harnesses[*]} " in
  *" $harness "*) ;;
  *)
    echo "fuzz.sh: no harness '$harness'; the harnesses are: ${all_harnesses[*]}" >&2
    exit 2
    ;;
  esac
done

mkdir -p "$out/obj" "$out/modules" "$out/include/CPUSupport" "$out/include/PNGShim" "$out/bin"
# SwiftPM writes these module maps for the two C targets; swiftc needs them spelled out.
printf 'module CPUSupport {\n  header "%s"\n  export *\n}\n' \
  "$root/Sources/CPUSupport/include/cpu_support.h" >"$out/include/CPUSupport/module.modulemap"
printf 'module PNGShim {\n  header "%s"\n  export *\n}\n' \
  "$root/Sources/PNGShim/include/png_shim.h" >"$out/include/PNGShim/module.modulemap"
includes=(-I "$out/modules" -I "$out/include/CPUSupport" -I "$out/include/PNGShim"
  -I "$root/Sources/CZlib" -I "$root/Sources/CLibPNG")

# True when $1 is missing or older than any of the other files (sources, objects it imports).
stale() {
  local target=$1
  shift
  [ -e "$target" ] || return 0
  for file in "$@" "$here/fuzz.sh"; do [ "$file" -nt "$target" ] && return 0; done
  return 1
}

# swift_module NAME SANITIZERS DEPENDENCY-OBJECTS...: one library module as one object file (whole
# module), with its .swiftmodule for the modules above it.
swift_module() {
  local name=$1 sanitizers=$2
  shift 2
  local object="$out/obj/$name.o"
  local sources=("$root/Sources/$name"/*.swift)
  if stale "$object" "${sources[@]}" "$@"; then
    echo "fuzz.sh: compiling $name (-sanitize=$sanitizers)"
    swiftc -parse-as-library -module-name "$name" -wmo -O -g -sanitize="$sanitizers" \
      "${includes[@]}" -c -emit-module -emit-module-path "$out/modules/$name.swiftmodule" \
      "${sources[@]}" -o "$object"
    touch "$object"  # swiftc keeps the old time stamp of an unchanged object; this one is fresh
  fi
}

# c_object NAME SOURCE FLAGS...: one C file.
c_object() {
  local name=$1 source=$2
  shift 2
  local object="$out/obj/$name.o"
  if stale "$object" "$source" "$(dirname "$source")"/include/*.h; then
    echo "fuzz.sh: compiling $name ($*)"
    clang -std=gnu11 -O1 -g -Wall -Wextra -Werror -I "$(dirname "$source")/include" "$@" \
      -c "$source" -o "$object"
  fi
}

build() {
  local harness=$1
  c_object CPUSupport "$root/Sources/CPUSupport/cpu_support.c" -fsanitize=address
  swift_module Kernels address "$out/obj/CPUSupport.o"
  swift_module TensorCore address "$out/obj/Kernels.o"
  swift_module AtomicWrites address
  local base=("$out/obj/CPUSupport.o" "$out/obj/Kernels.o" "$out/obj/TensorCore.o"
    "$out/obj/AtomicWrites.o")
  local objects
  case $harness in
  idx)
    swift_module Data fuzzer,address "${base[@]}"
    objects=("${base[@]}" "$out/obj/Data.o")
    ;;
  safetensors)
    swift_module Checkpoint fuzzer,address "${base[@]}"
    objects=("${base[@]}" "$out/obj/Checkpoint.o")
    ;;
  png)
    c_object PNGShim "$root/Sources/PNGShim/png_shim.c" -fsanitize=fuzzer-no-link,address
    swift_module Figures fuzzer,address "${base[@]}" "$out/obj/PNGShim.o"
    objects=("${base[@]}" "$out/obj/PNGShim.o" "$out/obj/Figures.o")
    ;;
  esac
  local binary="$out/bin/fuzz-$harness"
  if stale "$binary" "$here/$harness.swift" "${objects[@]}"; then
    echo "fuzz.sh: linking fuzz-$harness"
    # ld.gold warns that it cannot export ASan's local helper symbols; harmless, so filtered out.
    local status=0
    swiftc -parse-as-library -module-name "Fuzz_$harness" -O -g -sanitize=fuzzer,address \
      "${includes[@]}" "$here/$harness.swift" "${objects[@]}" -lz -lpng16 -o "$binary" \
      2>"$out/link.log" || status=$?
    grep -v "Cannot export local symbol '__asan" "$out/link.log" >&2 || true
    return $status
  fi
}

# run HARNESS: runs it for $seconds on a scratch copy of its seeds; prints one summary line.
failed=()
run() {
  local harness=$1
  local work="$out/run/$harness"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp "$here/corpus/$harness"/* "$work/corpus/"
  local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$work/")
  [ -f "$here/$harness.dict" ] && options+=(-dict="$here/$harness.dict")
  echo "fuzz.sh: running fuzz-$harness for $seconds s (log: ${work#"$root"/}/log)"
  local status=0
  # Swift's own crash backtracer would take over libFuzzer's deadly-signal handler (and trips
  # ASan by reading the crashed process's memory): off, so libFuzzer saves the input and reports.
  (cd "$work" && SWIFT_BACKTRACE=enable=no "$out/bin/fuzz-$harness" "${options[@]}" corpus \
    >log 2>&1) || status=$?
  local executions features done_line
  executions=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log" | grep -o '[0-9]*$' ||
    echo "?")
  done_line=$(grep -E '^#[0-9]+\s+(DONE|pulse|NEW|REDUCE|INITED)' "$work/log" | tail -1 || true)
  features=$(echo "$done_line" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' ||
    echo "")
  if [ "$status" -eq 0 ]; then
    echo "fuzz.sh: $harness: OK, $executions executions in $seconds s, $features, no crash"
  else
    failed+=("$harness")
    local artifacts
    artifacts=$(cd "$work" && ls crash-* leak-* timeout-* oom-* 2>/dev/null | tr '\n' ' ' ||
      true)
    echo "fuzz.sh: $harness: FAILED (exit status $status) after $executions executions, $features"
    echo "fuzz.sh: input: ${artifacts:-none saved}in ${work#"$root"/}; the end of the log:"
    grep -v -E '^#[0-9]+\s' "$work/log" | tail -60 | sed 's/^/  | /'
  fi
}

set -E  # the ERR trap below also fires inside build's functions
trap 'echo "fuzz.sh: the build failed" >&2; exit 2' ERR
for harness in "${harnesses[@]}"; do build "$harness"; done
trap - ERR
for harness in "${harnesses[@]}"; do run "$harness"; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: found something in: ${failed[*]}"
  exit 1
fi
echo "fuzz.sh: no crash in ${harnesses[*]}"
