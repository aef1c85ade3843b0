import Autodiff
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

  @Test func batchNormRunningStatisticsRoundTripWithTheWeights() throws {
    let url = temporaryFile("bn.safetensors")
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
    var rng = RandomGenerator(seed: 3)
    let x = Variable(Tensor.uniform([5, 2, 3, 3], using: &rng) * 4 + 1)
    let saved = Sequential([BatchNorm2D(2), Flatten()])
    _ = saved(x)  // a training-mode pass moves the running statistics
    let savedStatistics = saved.buffers.map(\.value)
    #expect(savedStatistics[0].scalars != [0, 0])
    try saved.saveCheckpoint(to: url)
    let loaded = Sequential([BatchNorm2D(2), Flatten()])
    try loaded.loadCheckpoint(from: url)
    #expect(loaded.buffers.map(\.value) == savedStatistics)
    // Evaluation uses them, so the reloaded model evaluates bit for bit as the saved one.
    let expected = inference { saved(x).value.scalars.map(\.bitPattern) }
    #expect(inference { loaded(x).value.scalars.map(\.bitPattern) } == expected)
    // A file without them (a model with no batch norm) is refused for one that has them.
    let plainURL = url.deletingLastPathComponent().appendingPathComponent("plain.safetensors")
    try SafeTensors.write(
      saved.namedParameters.map { ($0.name, $0.variable.value) }, metadata: [:], to: plainURL)
    #expect {
      try Sequential([BatchNorm2D(2), Flatten()]).loadCheckpoint(from: plainURL)
    } throws: { error in
      "\(error)".contains("0.running_mean")
    }
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
