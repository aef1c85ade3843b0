#!/usr/bin/env python3
"""What the compiler made of each register tile: the inner loop of every RegisterTile
specialisation in a binary or object file, its FMAs per step and its memory traffic.

A tile only works if its accumulators stay in vector registers for the whole k-loop. The
micro-kernel (Sources/Kernels/RegisterTile.swift) is one generic Swift function, and whether the
compiler keeps its tile in registers depends on how the function is written, in ways that are
easy to break without noticing: a run-time index into the tile anywhere in the function once made
the compiler store all 16 accumulators of the AVX-512 tile to the stack on every step, while the
results stayed right and only the speed fell. This script reads the machine code and says, for
each tile, whether its loop stores vectors to memory or loads them from the stack.

    python3 Chapters/Kernels/tile_loops.py [file] [--check] [--registers N]

file         default .build/release/kernels (a release build of the lab); any object file
             works, e.g. .build/debug/Kernels.build/RegisterTile.swift.o after `swift build`.
--check      exit 1 if a tile that fits the register file has such traffic in its loop
             (tiles that do not fit, like 8x32 on AVX2, spill by necessity and are only listed).
--registers  vector registers of the build's target; default from this CPU (the build is for
             the machine it runs on): 32 with AVX-512 or on arm64, 16 otherwise.
--lanes      floats in one of those registers; default from this CPU: 16 with AVX-512, 4 on
             arm64, 8 otherwise.
"""

import argparse
import platform
import re
import shutil
import subprocess
import sys


def vector_file():
    """(registers, floats per register) of this machine's widest vector instructions: 32 x 16
    with AVX-512, 32 x 4 on arm64, 16 x 8 otherwise (AVX2)."""
    if platform.machine() in ("aarch64", "arm64"):
        return 32, 4
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "")
        return (32, 16) if " avx512f" in flags else (16, 8)
    except OSError:
        return 16, 8


def disassemble(path):
    tool = shutil.which("llvm-objdump") or shutil.which("objdump")
    if tool is None:
        sys.exit("tile_loops: neither llvm-objdump nor objdump is on PATH (apt install binutils)")
    result = subprocess.run([tool, "-d", "--no-show-raw-insn", path], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"tile_loops: {tool} could not read {path}: {result.stderr.strip()}")
    return result.stdout


# RegisterTile<rows, vectors, SIMDn<Float>, prefetchSteps>.multiply, as Swift mangles
# it: a value generic n is written $<n-1>_ (and 0 as $_).
SPECIALISATION = re.compile(
    r"RegisterTileO\d+multiply\w*?Z\$(\d*)__\$(\d*)_s\d+SIMD(\d+)VySfG\$(\d*)_")
FMA = re.compile(r"\s(vfmadd\w+|fmla)\s")
# Stores of vector registers to memory, anywhere (the k-loop has none of its own: an
# accumulator stored every step, whether to the stack or to the slot a function returns the
# tile in, is the regression), in x86 (AT&T syntax: the destination comes last) and arm64; and
# loads from the stack frame.
VECTOR_STORE = re.compile(r"\s(v\w+\s+%[xyz]mm\d+,\s*[^%\s][^\n]*\)$|(str|stp|stur|st1)\s+[qv{])")
STACK_LOAD = re.compile(r"\s(v\w+\s+-?(0x)?[0-9a-f]*\(%r[bs]p\),|(ldr|ldp|ldur)\s.*\[(sp|x29))")
BRANCH = re.compile(r"\s(j\w+|b\.\w+|b|cbnz|cbz|tbnz|tbz)\s+(?:[^\n]*?,\s*)?(?:0x)?([0-9a-f]+)\s+<")


def value(digits):
    return int(digits) + 1 if digits else 0


def loops(text, lanes):
    """(tile name, registers needed, [(instructions, fmas, stores, loads) per inner loop]), on a
    target whose vector registers hold `lanes` floats: a vector of the tile wider than that takes
    several registers (a SIMD16 is four NEON registers)."""
    for function in re.split(r"\n(?=[0-9a-f]+ <)", text):
        header = function.split("\n", 1)[0]
        match = SPECIALISATION.search(header)
        if not match:
            continue
        rows, vectors, tile_lanes = value(match.group(1)), value(match.group(2)), int(match.group(3))
        name = f"{rows}x{vectors * tile_lanes} (SIMD{tile_lanes})"
        needed = (rows * vectors + vectors) * max(1, tile_lanes // lanes) + 1
        lines = [l for l in function.split("\n")[1:] if re.match(r"\s+[0-9a-f]+:", l)]
        addresses = [int(l.split(":")[0], 16) for l in lines]
        # Every backward branch closes a loop from its target to itself. Only innermost loops
        # count: the compiler may place a write-back loop before the k-loop, and that loop's
        # backward branch then spans the k-loop and the tile's copy on the stack.
        ranges = []
        for i, line in enumerate(lines):
            branch = BRANCH.search(line)
            if branch and int(branch.group(2), 16) < addresses[i]:
                ranges.append((int(branch.group(2), 16), addresses[i]))
        innermost = [
            (start, end) for start, end in ranges
            if not any(start <= s and e <= end and (s, e) != (start, end) for s, e in ranges)]
        found = []
        for start, end in innermost:
            body = [l for a, l in zip(addresses, lines) if start <= a <= end]
            fmas = sum(bool(FMA.search(l)) for l in body)
            if fmas:
                stores = sum(bool(VECTOR_STORE.search(l)) for l in body)
                loads = sum(bool(STACK_LOAD.search(l)) for l in body)
                found.append((len(body), fmas, stores, loads))
        yield name, needed, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", default=".build/release/kernels")
    parser.add_argument("--check", action="store_true")
    registers, lanes = vector_file()
    parser.add_argument("--registers", type=int, default=registers)
    parser.add_argument("--lanes", type=int, default=lanes)
    options = parser.parse_args()

    tiles = list(loops(disassemble(options.file), options.lanes))
    if not tiles:
        sys.exit(f"tile_loops: no RegisterTile specialisation in {options.file}")
    print(f"{options.file}: {options.registers} vector registers")
    failures = []
    for name, needed, found in tiles:
        fits = needed <= options.registers
        for instructions, fmas, stores, loads in found:
            verdict = "in registers" if stores + loads == 0 else (
                "spills (does not fit)" if not fits else "MEMORY TRAFFIC (it fits: a compiler regression)")
            print(f"  {name:16} needs {needed:2} registers: loop of {instructions:3} instructions, "
                  f"{fmas:2} FMAs, {stores:2} vector stores, {loads:2} stack loads: {verdict}")
            if fits and stores + loads > 0:
                failures.append(name)
        if not found:
            print(f"  {name:16} no inner loop with FMAs found")
            if fits:
                failures.append(name)
    if options.check and failures:
        sys.exit(f"tile_loops: {', '.join(sorted(set(failures)))} keep(s) the tile in memory")


if __name__ == "__main__":
    main()
