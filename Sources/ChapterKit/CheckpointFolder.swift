import AtomicWrites
import Foundation

/// The `checkpoints/` folder of a chapter's output: one `TrainingCheckpoint` per training loop,
/// numbered in the order the chapter runs them.
///
/// A fresh run empties it first (old checkpoints would otherwise be mistaken for this run's on a
/// later `--resume`); a `--resume` run needs at least one checkpoint in it, and says so otherwise.
public final class CheckpointFolder {
  public let url: URL
  public let resuming: Bool
  /// What every checkpoint of this run records and a resumed run must match.
  let identity: [(String, String)]
  private var slots = 0

  /// - Parameter identity: what must be equal for a checkpoint to be continued (chapter, seed,
  ///   kernels, …), in the order a mismatch is reported.
  public init(in folder: URL, identity: [(String, String)], resume: Bool) throws {
    url = folder.appendingPathComponent("checkpoints", isDirectory: true)
    resuming = resume
    self.identity = identity
    let files = FileManager.default
    AtomicFile.removeAbandonedTemporaries(in: url)
    if resume {
      guard !checkpointFiles.isEmpty else {
        throw ChapterError.nothingToResume(folder: url.path)
      }
    } else {
      for file in checkpointFiles { try? files.removeItem(at: file) }
    }
    do {
      try files.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw ChapterError.outputFolderNotCreatable(path: url.path, reason: "\(error)")
    }
  }

  /// The checkpoint files in the folder, by name.
  public var checkpointFiles: [URL] { Self.files(in: url) }

  static func files(in url: URL) -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    return names.filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix(".") }.sorted().map {
      url.appendingPathComponent($0)
    }
  }

  /// Whether the checkpoints folder at `url` holds a checkpoint (for the stop message).
  static func hasCheckpoints(_ url: URL) -> Bool { !files(in: url).isEmpty }

  /// The next training loop's checkpoint. On `--resume`, a file of the same slot number written
  /// under another name is reported as a mismatch when the loop starts (the chapter's code
  /// changed, or it is another chapter's folder).
  /// `details` are the loop's own numbers that must match too (its epochs, its training images).
  public func next(name: String, details: [(String, String)] = []) -> TrainingCheckpoint {
    slots += 1
    let expected = TrainingCheckpoint.fileName(slot: slots, name: name)
    let prefix = String(expected.prefix(3))
    let existing = checkpointFiles.first { $0.lastPathComponent.hasPrefix(prefix) }
    return TrainingCheckpoint(
      url: existing ?? url.appendingPathComponent(expected), name: name, slot: slots,
      identity: identity + [("slot", String(slots)), ("name", name)] + details, resumes: resuming)
  }
}
