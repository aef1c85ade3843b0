// NumPy's float32 matmul as a yardstick: it calls a BLAS library (OpenBLAS in the pip wheels),
// whose GEMM kernels are written in assembly for each CPU family by people who do nothing else.
//
// A Python process stays up for the whole lab and takes requests on its standard input, one line
// each: "m n k transposeA transposeB". It multiplies once and answers with the seconds the matmul
// alone took (timed in Python, so talking to it is not counted). That way NumPy's runs can take
// turns with the Swift kernels' runs in the same minute (see `timeInterleaved`).
//
// BLAS picks its thread count when it loads, from OPENBLAS_NUM_THREADS (OMP_NUM_THREADS and
// MKL_NUM_THREADS for other builds), so a worker is started per thread count.

import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One long-running Python process that times NumPy matmuls with a fixed thread count.
final class NumPyWorker {
  let threads: Int
  /// NumPy's version and its BLAS library, as it reports them ("2.4.6, scipy-openblas 0.3.31").
  private(set) var version = ""
  /// The CPU whose kernels OpenBLAS runs ("Haswell", "SkylakeX", "Zen", ...), as its
  /// `openblas_get_corename` says, or nil for another BLAS.
  private(set) var openBLASCore: String?
  /// The Python process's id (its CPU time is the lab's, not another program's).
  var processIdentifier: Int32 { python.processIdentifier }
  /// Why the worker stopped answering, once it has.
  var failure: String? { python.failure }

  private let python: PythonProcess

  /// The Python side. `np.matmul(A, B, out=c)` with A = a.T passes the transpose to BLAS as a
  /// flag, without copying, like the Swift kernels' transposeA / transposeB.
  static let script = """
    import sys, time
    try:
        import numpy as np
    except Exception as error:
        print("error", error, flush=True)
        sys.exit(0)
    blas = ""
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = "%s %s" % (info.get("name", "?"), info.get("version", ""))
    except Exception:
        blas = "unknown BLAS"
    core = ""
    try:
        import ctypes
        library = next(line.split()[-1] for line in open("/proc/self/maps")
                       if "openblas" in line.lower() and ".so" in line)
        handle = ctypes.CDLL(library)
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                     "openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(handle, name):
                function = getattr(handle, name)
                function.restype = ctypes.c_char_p
                core = function().decode()
                break
    except Exception:
        pass
    print("ready", core or "-", np.__version__ + ",", blas.strip(), flush=True)
    rng = np.random.default_rng(0)
    arrays = {}
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        m, n, k, ta, tb = (int(f) for f in fields[:5])
        key = (m, n, k, ta, tb)
        if key not in arrays:
            if len(arrays) > 32:
                arrays.clear()
            a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
            b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
            arrays[key] = (a.T if ta else a, b.T if tb else b, np.zeros((m, n), np.float32))
        A, B, C = arrays[key]
        start = time.perf_counter()
        np.matmul(A, B, out=C)
        print(repr(time.perf_counter() - start), flush=True)
    """

  /// The environment variables that make OpenBLAS run another CPU's kernels than the one it
  /// finds (`OPENBLAS_CORETYPE`) or size its blocks for another cache (`OPENBLAS_L2_SIZE`).
  /// A machine image may set them for the CPU it was made on: one of ours had
  /// OPENBLAS_CORETYPE=Haswell on an AVX-512 CPU, which halved NumPy's speed there.
  static let overrides = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

  /// The overrides set in this process's environment, as "NAME=value".
  static var overridesInEnvironment: [String] {
    let environment = ProcessInfo.processInfo.environment
    return overrides.compactMap { name in environment[name].map { "\(name)=\($0)" } }
  }

  /// Starts `python3` with NumPy's BLAS limited to `threads` threads and waits until NumPy is
  /// imported. `core` nil lets OpenBLAS pick its kernels for this CPU (the `overrides` are taken
  /// out of the environment); a name ("Haswell") makes it run that CPU's. Throws
  /// `NumPyUnavailable` with the reason when python3 or NumPy is missing.
  init(threads: Int, core: String? = nil) throws {
    self.threads = threads
    var environment = ProcessInfo.processInfo.environment
    for name in Self.overrides { environment[name] = nil }
    if let core { environment["OPENBLAS_CORETYPE"] = core }
    for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] {
      environment[name] = String(threads)
    }
    // After each matmul OpenBLAS's helper threads spin, waiting for the next, for 2²⁸ cycles
    // (a tenth of a second) by default. This process stays up for the whole lab, so they would
    // spin on through the Swift kernels' turns and take a core from them: measured here, an
    // idle NumPy process calling one small matmul every 30 ms used 100% of a core. 2²⁴ cycles
    // (about 6 ms) is as long as the tiled kernels' own helpers spin (WorkerPool.spinDuration),
    // and shorter than the rest between turns, so each side's threads are idle when the other
    // side runs. Within NumPy's own turn its threads stay awake from one matmul to the next.
    environment["OPENBLAS_THREAD_TIMEOUT"] = "24"
    do {
      python = try PythonProcess(script: Self.script, environment: environment)
    } catch {
      throw NumPyUnavailable(reason: "could not start python3 (\(error))")
    }
    guard let first = python.readLine() else {
      throw NumPyUnavailable(reason: "python3 was not found or exited")
    }
    if first.hasPrefix("error") {
      close()
      throw NumPyUnavailable(reason: "python3 cannot import numpy (\(first.dropFirst(6)))")
    }
    guard first.hasPrefix("ready ") else {
      close()
      throw NumPyUnavailable(reason: "unexpected answer from python3: \(first)")
    }
    let fields = first.dropFirst(6).split(separator: " ", maxSplits: 1)
    openBLASCore = fields.first.flatMap { $0 == "-" ? nil : String($0) }
    version = fields.count > 1 ? String(fields[1]) : ""
  }

  /// Seconds of one NumPy matmul of op(a) (m, k) by op(b) (k, n), or nil once the worker failed.
  /// The first request for a shape also makes its random inputs (not timed), which the worker
  /// keeps for the next requests (up to 33 shapes: the lab's training step takes turns among 17).
  func time(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false)
    -> Double?
  {
    python.seconds(for: "\(m) \(n) \(k) \(transposeA ? 1 : 0) \(transposeB ? 1 : 0)")
  }

  /// Ends the Python process and waits for it.
  func close() { python.close() }
}

/// Why there is no NumPy baseline: printed as one line, and the lab goes on without it.
struct NumPyUnavailable: Error, CustomStringConvertible {
  let reason: String
  var description: String { reason }
}
