import AtomicWrites
import Foundation

/// The folder a chapter writes its results into (metrics.json, figures, checkpoints).
///
/// Creating it is checked up front, before any training: finding out after ten minutes of training
/// that the folder cannot be written would waste the run.
public struct OutputFolder: Sendable {
  /// The folder, known to exist and to accept new files when `init(creating:)` returned.
  public let url: URL

  /// Creates the folder at `url` with any missing parents, then proves it is writable by writing
  /// and removing a small probe file. (Checking permission bits is not enough: a read-only file
  /// system, a full disk or root-squashed network storage only show up when one really writes.)
  ///
  /// Throws `ChapterError.outputPathIsNotAFolder` when a file is in the way,
  /// `.outputFolderNotCreatable` when the folder cannot be made, and `.outputFolderNotWritable`
  /// when the probe cannot be written.
  public init(creating url: URL) throws {
    let files = FileManager.default
    let path = url.path
    var isFolder: ObjCBool = false
    if files.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
      throw ChapterError.outputPathIsNotAFolder(path: path)
    }
    do {
      try files.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw ChapterError.outputFolderNotCreatable(
        path: path, reason: Self.fileInTheWay(of: url) ?? AtomicFile.systemMessage(error))
    }
    let probe = url.appendingPathComponent(".write-probe-\(getpid())")
    do {
      try Foundation.Data("probe".utf8).write(to: probe)
      try files.removeItem(at: probe)
    } catch {
      try? files.removeItem(at: probe)
      throw ChapterError.outputFolderNotWritable(
        path: path, reason: AtomicFile.systemMessage(error))
    }
    AtomicFile.removeAbandonedTemporaries(in: url)
    self.url = url
  }

  /// The nearest existing ancestor of `url` when it is a file rather than a folder, described as
  /// "'/a/b' is a file, not a folder"; nil otherwise. This names the obstacle precisely, where the
  /// system's own reason would only say "Not a directory".
  static func fileInTheWay(of url: URL) -> String? {
    var ancestor = url.deletingLastPathComponent()
    while ancestor.path != "/" && !FileManager.default.fileExists(atPath: ancestor.path) {
      ancestor = ancestor.deletingLastPathComponent()
    }
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder),
      !isFolder.boolValue
    else { return nil }
    return "'\(ancestor.path)' is a file, not a folder"
  }

  /// The URL of the file `name` inside the folder (nothing is created).
  public func file(_ name: String) -> URL {
    url.appendingPathComponent(name)
  }

  /// Writes `data` to the file `name` inside the folder, atomically (see `atomicWrite`), and
  /// returns its URL.
  @discardableResult
  public func write(_ data: Foundation.Data, to name: String) throws -> URL {
    let destination = file(name)
    try atomicWrite(data, to: destination)
    return destination
  }
}
