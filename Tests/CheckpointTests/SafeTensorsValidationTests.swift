import Foundation
import TensorCore
import Testing

@testable import Checkpoint

private let weights: [(name: String, tensor: Tensor)] = [
  ("w", Tensor(repeating: 1, shape: [3, 2])),
  ("b", Tensor(repeating: 2, shape: [3])),
]

@Test func loadReturnsTensorsInTheExpectedOrder() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("model.safetensors")
  try SafeTensors.write(weights, to: url)
  let loaded = try SafeTensors.load(from: url, expecting: [("b", [3]), ("w", [3, 2])])
  #expect(loaded == [weights[1].tensor, weights[0].tensor])
}

@Test func loadNamesTheMissingTensor() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("model.safetensors")
  try SafeTensors.write(weights, to: url)
  let error = #expect(throws: CheckpointError.self) {
    try SafeTensors.load(from: url, expecting: [("w", [3, 2]), ("decoder.w", [4])])
  }
  #expect(error == .missingTensor(name: "decoder.w", available: ["w", "b"]))
  #expect(error?.description.contains("'decoder.w'") == true)
}

@Test func loadNamesTheWrongShapeWithExpectedAndFound() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("model.safetensors")
  try SafeTensors.write(weights, to: url)
  let error = #expect(throws: CheckpointError.self) {
    try SafeTensors.load(from: url, expecting: [("w", [2, 3]), ("b", [3])])
  }
  #expect(error == .shapeMismatch(name: "w", expected: [2, 3], found: [3, 2]))
  #expect(error?.description.contains("[3, 2]") == true)
  #expect(error?.description.contains("[2, 3]") == true)
}

@Test func loadRejectsExtraTensorsUnlessAllowed() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("model.safetensors")
  try SafeTensors.write(weights, to: url)
  let error = #expect(throws: CheckpointError.self) {
    try SafeTensors.load(from: url, expecting: [("w", [3, 2])])
  }
  #expect(error == .unexpectedTensors(names: ["b"]))
  let loaded = try SafeTensors.load(
    from: url, expecting: [("w", [3, 2])], allowingUnexpected: true)
  #expect(loaded == [weights[0].tensor])
}
