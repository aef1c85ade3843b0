import Foundation
import TensorCore
import Testing

@testable import Checkpoint

// Cross-checks against an independent reader and writer: a few lines of Python that parse the
// header with `json` and the data with `numpy.frombuffer`. Skipped when python3 or NumPy is absent.

/// Runs `python3 -c script args…`; returns (exit status, stdout + stderr), or nil if it cannot run.
private func runPython(_ script: String, _ arguments: [String] = []) -> (Int32, String)? {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", "-c", script] + arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  do { try process.run() } catch { return nil }
  let output = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

private let numPyAvailable = runPython("import numpy")?.0 == 0

/// Element i of the test tensors: exact in Float, so Python can recompute it bit for bit.
private func value(_ i: Int) -> Float { Float(i) * 0.25 - 3 }

@Test(.enabled(if: numPyAvailable, "python3 with NumPy is not installed"))
func numPyReadsWhatWeWrite() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("model.safetensors")
  try SafeTensors.write(
    [
      ("weight", Tensor(shape: [3, 4], scalars: (0..<12).map(value))),
      ("bias", Tensor(shape: [5], scalars: (0..<5).map(value))),
    ],
    metadata: ["epoch": "3"], to: url)
  let script = """
    import json, struct, sys
    import numpy as np
    raw = open(sys.argv[1], "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0, n
    header = json.loads(raw[8:8 + n])
    assert header.pop("__metadata__") == {"epoch": "3"}
    assert list(header) == ["weight", "bias"], list(header)
    data = raw[8 + n:]
    for name, shape in (("weight", [3, 4]), ("bias", [5])):
        entry = header[name]
        assert entry["dtype"] == "F32" and entry["shape"] == shape, entry
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype="<f4").reshape(shape)
        expected = (np.arange(np.prod(shape), dtype=np.float32) * 0.25 - 3).reshape(shape)
        assert np.array_equal(array, expected), (name, array)
    print("ok")
    """
  let (status, output) = try #require(runPython(script, [url.path]))
  #expect(status == 0, "python said: \(output)")
  #expect(output.contains("ok"))
}

@Test(.enabled(if: numPyAvailable, "python3 with NumPy is not installed"))
func weReadWhatNumPyWrites() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("numpy.safetensors")
  // Python's own layout choices: json.dumps spacing, a metadata entry first, no padding.
  let script = """
    import json, struct, sys
    import numpy as np
    a = (np.arange(6, dtype=np.float32) * 0.25 - 3).reshape(2, 3)
    b = (np.arange(4, dtype=np.float32) * 0.25 - 3)
    header = {"__metadata__": {"source": "numpy"},
              "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "b": {"dtype": "F32", "shape": [4], "data_offsets": [24, 40]}}
    text = json.dumps(header).encode()
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + a.astype("<f4").tobytes() + b.astype("<f4").tobytes())
    """
  let (status, output) = try #require(runPython(script, [url.path]))
  try #require(status == 0, "python said: \(output)")
  let contents = try SafeTensors.read(from: url)
  #expect(contents.names == ["a", "b"])
  #expect(contents.metadata == ["source": "numpy"])
  #expect(contents.tensors["a"] == Tensor(shape: [2, 3], scalars: (0..<6).map(value)))
  #expect(contents.tensors["b"] == Tensor(shape: [4], scalars: (0..<4).map(value)))
}
