import Foundation
import TensorCore
import Testing

@testable import Checkpoint

// SafeTensors.read(bytes:path:), the entry point the fuzz harness (Tests/Fuzz/safetensors.swift)
// drives: what read(from:) does once it has the file's bytes.

@Test func bytesReadLikeTheFile() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  var rng = RandomGenerator(seed: 16)
  let tensors: [(name: String, tensor: Tensor)] = [
    ("0.weight", Tensor.normal([4, 3], using: &rng)), ("0.bias", Tensor(zeros: [4])),
    ("scalar", Tensor(-0.0)),
  ]
  let url = folder.file("model.safetensors")
  try SafeTensors.write(tensors, metadata: ["epoch": "3"], to: url)
  let bytes = [UInt8](try Data(contentsOf: url))
  let fromBytes = try SafeTensors.read(bytes: bytes, path: url.path)
  let fromFile = try SafeTensors.read(from: url)
  #expect(fromBytes.names == fromFile.names && fromBytes.names == tensors.map(\.name))
  #expect(fromBytes.metadata == ["epoch": "3"])
  for (name, tensor) in tensors {
    #expect(fromBytes.tensors[name]?.shape == tensor.shape)
    #expect(
      fromBytes.tensors[name]?.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
  }
}

@Test func bytesErrorsNameTheGivenPath() {
  #expect(throws: CheckpointError.fileTooShort(path: "in-memory", byteCount: 3)) {
    _ = try SafeTensors.read(bytes: [1, 2, 3], path: "in-memory")
  }
  #expect(throws: CheckpointError.headerTooLong(path: "p", headerLength: 255, fileSize: 8)) {
    _ = try SafeTensors.read(bytes: [255, 0, 0, 0, 0, 0, 0, 0], path: "p")
  }
}

// Found reviewing the reader for the fuzz harness's checks, not by the fuzzer (which, once the
// harness checked this, did not reach it in 3.6 million executions on the old reader): a shape
// with a 0 holds no bytes, and the reader used to accept [0, 2^62, 2^62] while refusing
// [2^62, 2^62, 0], because its overflow check multiplied left to right and stopped overflowing at
// the 0. The tensor it returned would trap in any code computing its row size (2^62 × 2^62).
// Both orders are now refused.
@Test(arguments: [
  "[0,4611686018427387904,4611686018427387904]", "[4611686018427387904,4611686018427387904,0]",
])
func emptyShapeWhoseSizesOverflowIsRefused(shape: String) throws {
  let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[0,0]}}"
  var bytes = (0..<8).map { UInt8(truncatingIfNeeded: header.utf8.count >> (8 * $0)) }
  bytes += Array(header.utf8)
  #expect {
    _ = try SafeTensors.read(bytes: bytes, path: "zero.safetensors")
  } throws: { error in
    guard case CheckpointError.invalidHeader(let path, let reason) = error else { return false }
    return path == "zero.safetensors" && reason.contains("impossibly large shape")
  }
}

@Test func emptyShapesWithSmallSizesStillRead() throws {
  let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,1000000,1000000],\"data_offsets\":[0,0]}}"
  var bytes = (0..<8).map { UInt8(truncatingIfNeeded: header.utf8.count >> (8 * $0)) }
  bytes += Array(header.utf8)
  let contents = try SafeTensors.read(bytes: bytes, path: "empty.safetensors")
  #expect(contents.tensors["w"]?.shape == [0, 1_000_000, 1_000_000])
  #expect(contents.tensors["w"]?.count == 0)
}
