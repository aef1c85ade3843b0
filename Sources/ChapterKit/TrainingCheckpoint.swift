import Autodiff
import Checkpoint
import Foundation
import Layers
import TensorCore
import Training

/// One training loop's checkpoint: a safetensors file holding the weights, every optimizer's
/// state and, in its metadata, where the loop had got to (`TrainingState`) and which run wrote
/// it. The loop rewrites it (atomically) after every epoch and when it is asked to stop, so a
/// run stopped by Ctrl-C, SIGTERM or even `kill -9` can go on from its last save.
///
///     output/vanilla/checkpoints/01-autoencoder-32-d.safetensors
///       parameter.0 … parameter.5          the weights, in the optimizers' order
///       buffer.0 …                         the model's buffers, if any (BatchNorm2D's statistics)
///       optimizer.0.m.0 … optimizer.0.v.5  Adam's moments ("optimizer.<phase>.<name>")
///       __metadata__: format, chapter, slot, name, seed, kernels, … and "state" (JSON)
///
/// A chapter's loops are numbered in the order the chapter runs them (the slot); on `--resume` the
/// chapter runs from the top again, everything before and between the loops is recomputed from
/// the seed, and each loop that finds its slot's checkpoint restores itself instead of training
/// (or finishes the epoch it was stopped in).
public final class TrainingCheckpoint {
  /// The format this code writes and reads. A newer file is refused rather than misread.
  public static let formatVersion = 1
  public static let formatName = "bottleneck-training"

  public let url: URL
  /// The loop's title ("autoencoder 32-d").
  public let name: String
  /// The slot: 1 for the chapter's first training loop, 2 for the next, …
  public let slot: Int
  /// What must match between the run that wrote the checkpoint and the one resuming from it.
  let identity: [(key: String, value: String)]
  /// Whether to read `url` before training (a `--resume` run whose file exists).
  let resumes: Bool

  init(url: URL, name: String, slot: Int, identity: [(String, String)], resumes: Bool) {
    self.url = url
    self.name = name
    self.slot = slot
    self.identity = identity.map { (key: $0.0, value: $0.1) }
    self.resumes = resumes
  }

  /// The file name of a slot: "03-conv-ae-32.safetensors".
  static func fileName(slot: Int, name: String) -> String {
    let slug = name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
    let collapsed = String(slug).split(separator: "-").joined(separator: "-")
    return String(format: "%02d-", slot) + String(collapsed.prefix(60)) + ".safetensors"
  }

  /// Saves the loop's weights, optimizers and state (atomically). Without `optimizers` (a
  /// finished loop whose optimizer nobody uses again) the file holds the weights only, a third of
  /// the size with Adam.
  func save(
    parameters: [Variable], buffers: [Buffer] = [], optimizers: [any Optimizer]?,
    state: TrainingState
  ) throws {
    var tensors = parameters.enumerated().map { ("parameter.\($0.offset)", $0.element.value) }
    tensors += buffers.enumerated().map { ("buffer.\($0.offset)", $0.element.value) }
    var metadata = [
      "format": Self.formatName, "format_version": String(Self.formatVersion),
      "state": try state.json(), "optimizers": optimizers == nil ? "not saved" : "saved",
    ]
    for (key, value) in identity { metadata[key] = value }
    for (p, optimizer) in (optimizers ?? []).enumerated() {
      let s = optimizer.state
      tensors += s.tensors.map { ("optimizer.\(p).\($0.name)", $0.tensor) }
      let numbers = s.numbers.keys.sorted().map { "\($0)=\(s.numbers[$0]!.bitPattern)" }
      metadata["optimizer.\(p)"] = ([s.kind] + numbers).joined(separator: " ")
    }
    do {
      try SafeTensors.write(tensors, metadata: metadata, to: url)
    } catch {
      throw ChapterError.writeFailed(path: url.path, reason: String(describing: error))
    }
  }

  /// Reads the checkpoint, checks that it belongs to this run and this loop, and puts its weights
  /// and optimizer states in place. Returns the loop's state, or nil when this run does not
  /// resume (or this slot was never reached). Throws `ChapterError.checkpointMismatch` naming
  /// what differs, before changing anything.
  func restore(
    parameters: [Variable], buffers: [Buffer] = [], optimizers: [any Optimizer], epochs: Int
  ) throws -> TrainingState? {
    guard resumes, FileManager.default.fileExists(atPath: url.path) else { return nil }
    let contents: SafeTensors.Contents
    do {
      contents = try SafeTensors.read(from: url)
    } catch {
      throw mismatch("it cannot be read (\(error))")
    }
    let metadata = contents.metadata
    guard metadata["format"] == Self.formatName else {
      throw mismatch("it is not a training checkpoint of this package")
    }
    let version = metadata["format_version"].flatMap { Int($0) } ?? 0
    guard version == Self.formatVersion else {
      throw mismatch(
        "it has format version \(version) and this program reads version \(Self.formatVersion)"
          + (version > Self.formatVersion ? " (it was written by a newer version)" : ""))
    }
    for (key, value) in identity where metadata[key] != value {
      throw mismatch(
        "its \(key) is '\(metadata[key] ?? "missing")' and this run's is '\(value)'")
    }
    var values: [Tensor] = []
    for (i, p) in parameters.enumerated() {
      guard let t = contents.tensors["parameter.\(i)"] else {
        throw mismatch("it has no parameter \(i) (the model has \(parameters.count) parameters)")
      }
      guard t.shape == p.shape else {
        throw mismatch(
          "parameter \(i) ('\(p.name)') is \(t.shape) there and \(p.shape) here:"
            + " another model shape")
      }
      values.append(t)
    }
    if contents.tensors["parameter.\(parameters.count)"] != nil {
      throw mismatch("it has more parameters than this model's \(parameters.count)")
    }
    var bufferValues: [Tensor] = []
    for (i, b) in buffers.enumerated() {
      guard let t = contents.tensors["buffer.\(i)"] else {
        throw mismatch(
          "it has no buffer \(i) (the model has \(buffers.count) buffers, e.g. BatchNorm2D's"
            + " running statistics)")
      }
      guard t.shape == b.shape else {
        throw mismatch("buffer \(i) is \(t.shape) there and \(b.shape) here: another model shape")
      }
      bufferValues.append(t)
    }
    if contents.tensors["buffer.\(buffers.count)"] != nil {
      throw mismatch("it has more buffers than this model's \(buffers.count)")
    }
    guard let text = metadata["state"], let state = try? TrainingState.decode(text) else {
      throw mismatch("its training state is missing or unreadable")
    }
    // A finished loop may have been saved without its optimizers: it will take no more steps.
    let withOptimizers = metadata["optimizers"] != "not saved"
    guard withOptimizers || (state.epochsDone == epochs && state.batchesDone == 0) else {
      throw mismatch("it has no optimizer state, and training is not finished")
    }
    let states =
      try withOptimizers ? optimizers.indices.map { p in try optimizerState(p, contents) } : []
    for (optimizer, s) in zip(optimizers, states) {
      do { try optimizer.restore(s) } catch { throw mismatch(String(describing: error)) }
    }
    for (p, t) in zip(parameters, values) { p.value = t }
    for (b, t) in zip(buffers, bufferValues) { b.value = t }
    return state
  }

  private func optimizerState(_ p: Int, _ contents: SafeTensors.Contents) throws -> OptimizerState {
    guard let line = contents.metadata["optimizer.\(p)"] else {
      throw mismatch("it has no state for optimizer \(p)")
    }
    let words = line.split(separator: " ").map(String.init)
    var numbers: [String: Double] = [:]
    for word in words.dropFirst() {
      let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
      guard pair.count == 2, let bits = UInt64(pair[1]) else {
        throw mismatch("optimizer \(p)'s numbers are unreadable")
      }
      numbers[pair[0]] = Double(bitPattern: bits)
    }
    let prefix = "optimizer.\(p)."
    let tensors = contents.names.filter { $0.hasPrefix(prefix) }.map {
      (String($0.dropFirst(prefix.count)), contents.tensors[$0]!)
    }
    return OptimizerState(kind: words.first ?? "", tensors: tensors, numbers: numbers)
  }

  private func mismatch(_ detail: String) -> ChapterError {
    .checkpointMismatch(path: url.path, detail: detail)
  }
}
