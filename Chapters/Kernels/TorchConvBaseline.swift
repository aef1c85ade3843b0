// PyTorch's convolution as a yardstick for the convolution section: on a CPU, F.conv2d and its
// two gradients go to oneDNN (Intel's deep-learning kernels, formerly MKL-DNN), which compiles a
// kernel for each shape and this CPU's vector width at its first call: on the AVX2 EPYC, direct
// convolutions ("jit:avx2") and, for the strided input gradients, batch-reduce GEMMs
// ("brgconv"), on layouts with the channels in blocks of 8 (run with ONEDNN_VERBOSE=1 to see).
// The reorders between those layouts and PyTorch's NCHW tensors are part of its times.
//
// The same pattern as NumPyWorker (NumPyBaseline.swift): one Python process stays up for the
// lab's convolution section and takes requests on its standard input, one line each,
// "product batch inChannels height width outChannels kernel stride padding" with product one of
// forward, input, weight. It runs that product once and answers with the seconds it alone took
// (timed in Python). Its runs take turns with the Swift kernels' runs in the same rounds.
//
// The backward products are what autograd calls for F.conv2d's backward pass:
// torch.ops.aten.convolution_backward with one output asked for (torch.nn.grad.conv2d_input and
// conv2d_weight call the same, on a stand-in tensor for the operand they do not need).
//
// Importing torch takes seconds. The script first asks importlib whether torch is installed at
// all, which takes milliseconds, so a machine without it is told at once; and the lab starts the
// worker before its naive-vs-tiled check, so the import runs while the check does.

import Bottleneck
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One long-running Python process that times PyTorch's conv2d and its gradients with a fixed
/// thread count.
final class TorchConvWorker {
  let threads: Int
  /// torch's version and the library its CPU convolutions use ("2.15.0+cu132, oneDNN 3.13.3").
  private(set) var version = ""
  /// The Python process's id (its CPU time is the lab's, not another program's).
  var processIdentifier: Int32 { python.processIdentifier }
  /// Why the worker stopped answering, once it has.
  var failure: String? { python.failure }

  private let python: PythonProcess
  private var isReady = false

  /// The Python side. Inputs are uniform in [-1, 1) like the Swift side's (other numbers: only
  /// the time is compared). Tensors are made once per geometry and kept for its three products;
  /// the first run of each product is done before the first answer, untimed (oneDNN builds its
  /// kernel for a shape on the first call).
  static let script = """
    import sys, time, importlib.util
    if importlib.util.find_spec("torch") is None:
        print("missing", flush=True)
        sys.exit(0)
    try:
        import torch
        import torch.nn.functional as F
    except Exception as error:
        print("error", error, flush=True)
        sys.exit(0)
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)
    dnn = ""
    try:
        import re
        found = re.search(r"MKL-DNN v([0-9.]+)", torch.__config__.show())
        if found and torch.backends.mkldnn.is_available():
            dnn = ", oneDNN " + found.group(1)
    except Exception:
        pass
    print("ready", torch.__version__ + dnn, flush=True)
    aten = torch.ops.aten
    geometry, tensors, warmed = None, None, set()

    def uniform(generator, *shape):
        return torch.rand(*shape, generator=generator) * 2 - 1

    def run(product, x, w, b, dy, s, p):
        if product == "forward":
            return F.conv2d(x, w, b, s, p)
        mask = [product == "input", product == "weight", False]
        return aten.convolution_backward(dy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0],
                                         1, mask)

    with torch.no_grad():
        for line in sys.stdin:
            fields = line.split()
            if not fields:
                continue
            product = fields[0]
            n, c, h, v, o, k, s, p = (int(f) for f in fields[1:9])
            if geometry != (n, c, h, v, o, k, s, p):
                geometry, warmed = (n, c, h, v, o, k, s, p), set()
                generator = torch.Generator().manual_seed(0)
                x, w, b = uniform(generator, n, c, h, v), uniform(generator, o, c, k, k), \\
                    uniform(generator, o)
                dy = uniform(generator, *F.conv2d(x, w, b, s, p).shape)
                tensors = (x, w, b, dy)
            x, w, b, dy = tensors
            if product not in warmed:
                run(product, x, w, b, dy, s, p)
                warmed.add(product)
            start = time.perf_counter()
            run(product, x, w, b, dy, s, p)
            print(repr(time.perf_counter() - start), flush=True)
    """

  /// Starts `python3` with torch limited to `threads` threads. It does not wait for the import:
  /// `waitUntilReady()` does. Throws `TorchUnavailable` when python3 cannot be started.
  init(threads: Int) throws {
    self.threads = threads
    var environment = ProcessInfo.processInfo.environment
    // torch.set_num_threads sets its own pools; these cover the libraries it loads (libgomp,
    // MKL) before it does.
    for name in ["OMP_NUM_THREADS", "MKL_NUM_THREADS"] { environment[name] = String(threads) }
    // PyTorch allocates every result (and oneDNN its scratch) afresh on each call, with malloc.
    // By default glibc gives large freed blocks back to the system (munmap, or trimming the top
    // of the heap), and the next call's pages are faulted in again. Whether that happens
    // depends on where the block landed, so the same call ran fast in one Python process and
    // 5-8 times slower in the next (measured on conv(1→32, k3) at batch 128: 25-27 against
    // 3.4 GFLOP/s). Keeping freed memory (blocks up to 32 MB from the heap, never trimmed)
    // times the kernels, not the page faults, like the Swift side, whose scratch comes from a
    // pool (BufferPool) and whose outputs are allocated once.
    environment["MALLOC_MMAP_THRESHOLD_"] = String(32 << 20)
    environment["MALLOC_TRIM_THRESHOLD_"] = String(1 << 30)
    do {
      python = try PythonProcess(
        script: Self.script, arguments: [String(threads)], environment: environment)
    } catch {
      throw TorchUnavailable(reason: "could not start python3 (\(error))")
    }
  }

  /// Waits for the worker's first line: torch imported, or why not (`TorchUnavailable`, and the
  /// worker is closed).
  func waitUntilReady() throws {
    guard !isReady else { return }
    guard let first = python.readLine() else {
      close()
      throw TorchUnavailable(reason: "python3 was not found or exited")
    }
    if first == "missing" {
      close()
      throw TorchUnavailable(reason: "not installed")
    }
    if first.hasPrefix("error") {
      close()
      throw TorchUnavailable(reason: "import failed (\(first.dropFirst(6)))")
    }
    guard first.hasPrefix("ready ") else {
      close()
      throw TorchUnavailable(reason: "unexpected answer from python3: \(first)")
    }
    version = String(first.dropFirst(6))
    isReady = true
  }

  /// Seconds of one run of `product` on geometry `g`, or nil once the worker failed. The first
  /// request for a geometry also makes its inputs, and the first for each product runs it once
  /// untimed.
  func time(_ product: ConvProduct, _ g: ConvGeometry) -> Double? {
    guard failure == nil, isReady else { return nil }
    let fields = [
      g.batch, g.inChannels, g.height, g.width, g.outChannels, g.kernel, g.stride, g.padding,
    ]
    return python.seconds(
      for: "\(product.torchName) " + fields.map(String.init).joined(separator: " "))
  }

  /// Ends the Python process and waits for it.
  func close() { python.close() }
}

/// Why there is no PyTorch baseline: printed as one line, and the lab goes on without it.
struct TorchUnavailable: Error, CustomStringConvertible {
  let reason: String
  var description: String { reason }
}
