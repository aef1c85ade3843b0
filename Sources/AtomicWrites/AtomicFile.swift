import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writing a file so that nobody ever sees half of it.
///
/// Writing in place leaves a half-written file behind if the program stops partway (a crash,
/// Ctrl-C, a full disk), and a reader can see it half done. Instead we write to a temporary name in
/// the *same* folder and then rename it over the real name: rename(2) within one file system is
/// atomic, so the real name always holds either the old complete file or the new complete one.
/// (A temporary file in /tmp could be on another file system, where rename fails.) On failure the
/// temporary file is removed, so no litter is left behind.
///
/// Every module that writes files (figures, checkpoints, IDX files, metrics.json) goes through here
/// and turns `AtomicFile.Failure` into its own error type.
public enum AtomicFile {
  /// Why a write failed: the destination and a short reason a person can act on.
  public struct Failure: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
  }

  /// A hidden temporary name next to `url`, unique to this process and call:
  /// /out/loss.png -> /out/.loss.png.tmp-4242-91823
  public static func temporaryURL(for url: URL) -> URL {
    let pid = ProcessInfo.processInfo.processIdentifier
    let nonce = UInt32.random(in: 0...UInt32.max)
    return url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(pid)-\(nonce)")
  }

  /// Removes the temporary files that writers in `folder` left behind when their process was
  /// killed mid-write (`kill -9`, a second Ctrl-C, a power cut): hidden `.<name>.tmp-<pid>-<n>`
  /// files whose process no longer runs. Returns how many it removed. The real files are never
  /// touched: each is complete, or absent.
  @discardableResult
  public static func removeAbandonedTemporaries(in folder: URL) -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    var removed = 0
    for name in names where name.hasPrefix(".") {
      guard let range = name.range(of: ".tmp-", options: .backwards) else { continue }
      let fields = name[range.upperBound...].split(separator: "-")
      guard fields.count == 2, let pid = Int32(fields[0]), fields[1].allSatisfy(\.isNumber) else {
        continue
      }
      if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
        if (try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))) != nil {
          removed += 1
        }
      }
    }
    return removed
  }

  /// Writes `data` to `url` atomically.
  public static func write(_ data: Data, to url: URL) throws(Failure) {
    let temporary = temporaryURL(for: url)
    do {
      try data.write(to: temporary)
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw Failure(path: url.path, reason: reason(writing: url, systemMessage(error)))
    }
    try moveIntoPlace(temporary, url)
  }

  /// Writes `text` as UTF-8 to `url` atomically.
  public static func write(_ text: String, to url: URL) throws(Failure) {
    try write(Data(text.utf8), to: url)
  }

  /// For writers that produce the file themselves (libpng, gnuplot): they write to
  /// `temporaryURL(for:)`, then this renames the finished file to `url`, replacing any old one.
  /// On failure the temporary file is removed.
  public static func moveIntoPlace(_ temporary: URL, _ url: URL) throws(Failure) {
    if rename(temporary.path, url.path) != 0 {
      let message = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw Failure(path: url.path, reason: reason(writing: url, message))
    }
  }

  /// A short reason for a failed write: a missing or unwritable folder is the usual one, so say
  /// so plainly; otherwise `detail`, the system's message.
  public static func reason(writing url: URL, _ detail: String) -> String {
    let folder = url.deletingLastPathComponent()
    var isFolder: ObjCBool = false
    if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
      return "the folder \(folder.path) does not exist"
    }
    if !isFolder.boolValue { return "\(folder.path) is not a folder" }
    if !FileManager.default.isWritableFile(atPath: folder.path) {
      return "the folder \(folder.path) is not writable"
    }
    return detail
  }

  /// The POSIX message inside a Foundation file error ("Permission denied"), if there is one.
  public static func systemMessage(_ error: Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? any Error {
      let posix = underlying as NSError
      if posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
    }
    if nsError.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(nsError.code)))
    }
    return nsError.localizedDescription
  }
}
