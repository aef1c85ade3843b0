// libFuzzer harness for the checkpoint reader: `SafeTensors.read(bytes:path:)`, what
// `SafeTensors.read(from:)` does once it has a file's bytes (header length, JSON header, each
// tensor entry, the layout of the data buffer, the data). Built and run by fuzz.sh; not one of
// the package's targets.
//
// A CheckpointError is a correct answer to any input. A finding is a crash, a hang, a leak, an
// allocation over libFuzzer's limit, another kind of error, or a file read that breaks the
// format's promises checked below (names match tensors, each tensor holds its shape's count of
// elements, no shape's sizes multiply past Int.max, and the tensors' bytes tile the data buffer
// exactly).

import Checkpoint
import Foundation
import TensorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensorsReader(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count))
  do {
    let contents = try SafeTensors.read(bytes: bytes, path: "/fuzz/input.safetensors")
    precondition(contents.names.count == contents.tensors.count)
    precondition(Set(contents.names) == Set(contents.tensors.keys))
    var dataBytes = 0
    for (_, tensor) in contents.ordered {
      precondition(tensor.shape.allSatisfy { $0 >= 0 })
      precondition(tensor.count == tensor.shape.reduce(1, *))
      // Every partial product of the shape (what strides and row sizes are) must fit in an Int,
      // even when a 0 in the shape makes the tensor empty.
      let nonZero = tensor.shape.filter { $0 != 0 }
      let (_, overflow) = nonZero.reduce((4, false)) { partial, size in
        let (product, overflow) = partial.0.multipliedReportingOverflow(by: size)
        return (product, partial.1 || overflow)
      }
      precondition(!overflow, "shape \(tensor.shape): its sizes multiply past Int.max")
      dataBytes += 4 * tensor.count
    }
    let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
    precondition(8 + headerLength + dataBytes == bytes.count, "the tensors do not tile the buffer")
  } catch let error as CheckpointError {
    precondition(!error.description.isEmpty)
  } catch {
    fatalError("SafeTensors.read threw \(type(of: error)), not a CheckpointError: \(error)")
  }
  return 0
}
