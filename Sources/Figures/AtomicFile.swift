import Foundation

// Writing a file in place leaves a half-written file behind if the program stops partway (a crash,
// Ctrl-C, a full disk), and a reader can see it half done. Instead we write to a temporary name in
// the same folder and then rename it over the real name: rename(2) within one file system is atomic,
// so the real name always holds either the old complete file or the new complete file.

enum AtomicFile {
  /// A hidden temporary name next to `url`, unique to this process and call:
  /// /out/loss.png -> /out/.loss.png.tmp-4242-91823
  static func temporaryURL(for url: URL) -> URL {
    let pid = ProcessInfo.processInfo.processIdentifier
    let nonce = UInt32.random(in: 0...UInt32.max)
    let name = ".\(url.lastPathComponent).tmp-\(pid)-\(nonce)"
    return url.deletingLastPathComponent().appendingPathComponent(name)
  }

  /// Writes `data` to `url` atomically.
  static func write(_ data: Data, to url: URL) throws {
    let temporary = temporaryURL(for: url)
    do {
      try data.write(to: temporary)
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw FigureError.cannotWrite(path: url.path, reason: reason(writing: url, "\(error)"))
    }
    try moveIntoPlace(temporary, url)
  }

  /// Writes `text` as UTF-8 to `url` atomically.
  static func write(_ text: String, to url: URL) throws {
    try write(Data(text.utf8), to: url)
  }

  /// Renames the finished `temporary` file to `url`, replacing any old file there.
  /// On failure the temporary file is removed.
  static func moveIntoPlace(_ temporary: URL, _ url: URL) throws {
    if rename(temporary.path, url.path) != 0 {
      let message = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw FigureError.cannotWrite(path: url.path, reason: message)
    }
  }

  /// A short reason for a failed write: a missing folder is the usual one, so say so plainly;
  /// otherwise `detail`, the system's message.
  static func reason(writing url: URL, _ detail: String) -> String {
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
}
