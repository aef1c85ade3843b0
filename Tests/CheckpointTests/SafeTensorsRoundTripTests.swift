import Foundation
import TensorCore
import Testing

@testable import Checkpoint

@Test func roundTripIsBitIdenticalAndKeepsOrderAndMetadata() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  var rng = RandomGenerator(seed: 7)
  // Values that a careless writer would change: NaN with a payload, −0, infinities, subnormals.
  let special = Tensor(
    shape: [2, 3],
    scalars: [
      Float(bitPattern: 0x7FC0_1234), -0.0, .infinity, -.infinity, .leastNonzeroMagnitude,
      .greatestFiniteMagnitude,
    ])
  let tensors: [(name: String, tensor: Tensor)] = [
    ("encoder.weight", Tensor.normal([16, 9], using: &rng)),
    ("encoder.bias", Tensor.normal([16], using: &rng)),
    ("special", special),
    ("scalar", Tensor(3.25)),
    ("empty", Tensor(zeros: [0, 4])),
    ("a \"quoted\" \\ name ü", Tensor.uniform([3, 2, 2], using: &rng)),
  ]
  let metadata = ["epoch": "12", "note": "line\nbreak \"q\" ✓", "seed": "7"]
  let url = folder.file("model.safetensors")
  try SafeTensors.write(tensors, metadata: metadata, to: url)
  let contents = try SafeTensors.read(from: url)

  #expect(contents.names == tensors.map(\.name))
  #expect(contents.metadata == metadata)
  for (name, tensor) in tensors {
    let loaded = try #require(contents.tensors[name])
    #expect(loaded.shape == tensor.shape)
    #expect(loaded.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
  }
  #expect(contents.ordered.map(\.name) == tensors.map(\.name))
}

@Test func headerIsPaddedSoTheDataStartsEightByteAligned() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  for nameLength in 1...9 {
    let url = folder.file("pad\(nameLength).safetensors")
    let name = String(repeating: "x", count: nameLength)
    try SafeTensors.write([(name, Tensor(shape: [2], scalars: [1, 2]))], to: url)
    let bytes = [UInt8](try Data(contentsOf: url))
    let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
    #expect(headerLength % 8 == 0)
    #expect(bytes[8] == UInt8(ascii: "{"))
    #expect(bytes.count == 8 + headerLength + 8)
    // 1.0 as little-endian F32 is 00 00 80 3F.
    #expect(Array(bytes[(8 + headerLength)...].prefix(4)) == [0x00, 0x00, 0x80, 0x3F])
  }
}

@Test func writeReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("model.safetensors")
  try SafeTensors.write([("w", Tensor(shape: [1], scalars: [1]))], to: url)
  try SafeTensors.write([("w", Tensor(shape: [2], scalars: [5, 6]))], to: url)
  #expect(try SafeTensors.read(from: url).tensors["w"]?.scalars == [5, 6])
  let files = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
  #expect(files == ["model.safetensors"])
}

@Test func writeRejectsRepeatedAndReservedNames() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("model.safetensors")
  let t = Tensor(shape: [1], scalars: [1])
  let repeated = #expect(throws: CheckpointError.self) {
    try SafeTensors.write([("w", t), ("w", t)], to: url)
  }
  guard case .invalidName(let name, _)? = repeated else {
    Issue.record("expected invalidName, got \(String(describing: repeated))")
    return
  }
  #expect(name == "w")
  #expect(throws: CheckpointError.self) {
    try SafeTensors.write([("__metadata__", t)], to: url)
  }
  #expect(!FileManager.default.fileExists(atPath: url.path))
}

@Test func writeIntoAMissingFolderThrows() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("no/such/folder/model.safetensors")
  let error = #expect(throws: CheckpointError.self) {
    try SafeTensors.write([("w", Tensor(shape: [1], scalars: [1]))], to: url)
  }
  guard case .ioFailed? = error else {
    Issue.record("expected ioFailed, got \(String(describing: error))")
    return
  }
}

@Test func fileWithNoTensorsRoundTrips() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("empty.safetensors")
  try SafeTensors.write([], metadata: ["k": "v"], to: url)
  let contents = try SafeTensors.read(from: url)
  #expect(contents.names.isEmpty)
  #expect(contents.metadata == ["k": "v"])
}
