#!/usr/bin/env bash
# The NEON tile's machine code, checked without an arm64 machine: cross-compiles
# Sources/Kernels/RegisterTile.swift for aarch64 with the toolchain's own compiler (its LLVM
# has the AArch64 back end) and runs tile_loops.py on the object file, with arm64's 32 vector
# registers.
#
#     bash Chapters/Kernels/tile_loops_arm64.sh        (about 90 s, most of it the first step)
#
# The toolchain ships the standard library for x86-64 only, so the first step builds an aarch64
# Swift.swiftmodule from its textual interface (into a cache folder, once). That interface was
# written for x86-64: two Float80 functions call C helpers arm64 does not have, so they are
# patched out (arm64 has no Float80, and nothing here uses it). The micro-kernel is compiled
# with -O for a generic arm64 CPU, with a stub GEMMTile and one exported caller that makes the
# compiler emit each specialisation. (The 8x32 tile, four NEON registers per SIMD16, needs 76
# registers and is inlined into the caller: it is not listed.)
# Exit status: that of tile_loops.py --check, or 0 with a note when this toolchain cannot
# cross-compile (nothing is wrong with the kernel then; the check just cannot run).
set -euo pipefail
cd "$(dirname "$0")/../.."

cache=${BOTTLENECK_ARM64_CACHE:-.build-arm64}
mkdir -p "$cache/src" "$cache/include"
skip() {
  echo "tile_loops_arm64: skipped: $1"
  exit 0
}
frontend=$(command -v swift-frontend || echo "$(dirname "$(command -v swift || echo /)")/swift-frontend")
[ -x "$frontend" ] || skip "no swift-frontend next to swift on PATH"
resource=$(dirname "$(dirname "$frontend")")/lib/swift
interface=$(ls "$resource"/linux/Swift.swiftmodule/x86_64-*.swiftinterface 2>/dev/null | head -n 1 || true)
[ -n "$interface" ] || skip "no Swift.swiftinterface for x86-64 under $resource"

if [ ! -f "$cache/Swift.swiftmodule" ]; then
  echo "Building the standard library's interface for aarch64 (once, about a minute)..."
  sed -e 's/x86_64-unknown-linux-gnu/aarch64-unknown-linux-gnu/g' \
    -e 's/_stdlib_remainderl(self, other)/-(-self)/' -e 's/_stdlib_squareRootl(self)/-(-self)/' \
    "$interface" >"$cache/Swift.swiftinterface"
  "$frontend" -compile-module-from-interface "$cache/Swift.swiftinterface" -module-name Swift \
    -parse-stdlib -o "$cache/Swift.swiftmodule.tmp" 2>"$cache/stdlib.log" ||
    skip "this toolchain's interface does not build for aarch64 (see $cache/stdlib.log)"
  mv "$cache/Swift.swiftmodule.tmp" "$cache/Swift.swiftmodule"
fi

cp Sources/CPUSupport/include/cpu_support.h "$cache/include/"
printf 'module CPUSupport {\n  header "cpu_support.h"\n  export *\n}\n' >"$cache/include/module.modulemap"
cp Sources/Kernels/RegisterTile.swift "$cache/src/"
cat >"$cache/src/Caller.swift" <<'EOF'
enum GEMMTile { case avx512, avx2, neon, portable }

@_cdecl("bottleneck_run_tile")
public func runTile(
  _ p: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ depth: Int, _ which: Int,
  _ stride: Int
) {
  let product = TileProduct(
    depth: depth, a: p, aStepStride: 8, aRowStride: stride, b: p, bStepStride: stride, c: c,
    ldc: 32,
    validRows: which, validColumns: 32 - which, accumulate: which > 1)
  switch which {
  case 0: GEMMTile.avx512.multiply(product)
  case 1: GEMMTile.avx2.multiply(product)
  case 2: GEMMTile.neon.multiply(product)
  default: GEMMTile.portable.multiply(product)
  }
}
EOF
"$frontend" -c "$cache/src/RegisterTile.swift" "$cache/src/Caller.swift" \
  -target aarch64-unknown-linux-gnu -I "$cache" -I "$cache/include" -resource-dir "$resource" \
  -module-name Kernels -O -parse-as-library -disable-implicit-concurrency-module-import \
  -disable-implicit-string-processing-module-import -o "$cache/RegisterTile.o" \
  2>"$cache/compile.log" || { cat "$cache/compile.log"; exit 1; }
python3 Chapters/Kernels/tile_loops.py "$cache/RegisterTile.o" --registers 32 --lanes 4 --check
