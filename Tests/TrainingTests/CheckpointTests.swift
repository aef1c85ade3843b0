import Checkpoint
import Foundation
import Testing

@testable import Layers
@testable import TensorCore
@testable import Training

@Suite("Module checkpoints")
struct ModuleCheckpointTests {
  private func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("bottleneck-ckpt-\(UUID().uuidString)")
      .appendingPathComponent(name)
  }

  @Test func aModelRoundTripsBitForBit() throws {
    let url = temporaryFile("model.safetensors")
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
    var rng = RandomGenerator(seed: 1)
    let saved = Sequential(mlp: [6, 4, 3], rng: &rng)
    try saved.saveCheckpoint(to: url, metadata: ["chapter": "test"])
    var other = RandomGenerator(seed: 2)
    let loaded = Sequential(mlp: [6, 4, 3], rng: &other)
    #expect(loaded.parameters.map(\.value) != saved.parameters.map(\.value))
    try loaded.loadCheckpoint(from: url)
    #expect(loaded.parameters.map(\.value) == saved.parameters.map(\.value))
  }

  @Test func aModelOfAnotherShapeIsRefusedWithTheTensorNamed() throws {
    let url = temporaryFile("model.safetensors")
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
    var rng = RandomGenerator(seed: 1)
    try Sequential(mlp: [6, 4, 3], rng: &rng).saveCheckpoint(to: url)
    let wider = Sequential(mlp: [6, 5, 3], rng: &rng)
    let before = wider.parameters.map(\.value)
    #expect {
      try wider.loadCheckpoint(from: url)
    } throws: { error in
      "\(error)".contains("0.weight")
    }
    #expect(wider.parameters.map(\.value) == before)
  }
}
