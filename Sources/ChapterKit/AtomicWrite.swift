import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes `data` to `url` so that a reader sees either the old file or the whole new one, never a
/// half-written file, even if the program is killed midway.
///
/// The idea, which any module can copy: write everything to a temporary file in the *same* folder,
/// then `rename(2)` it over the destination. Within one file system a rename is atomic: the name
/// points at the old file until, in one step, it points at the new one. (A temporary file in /tmp
/// could be on another file system, where rename fails or copies.) If anything fails, the
/// temporary file is removed, so no `.tmp` litter is left behind.
///
/// Throws `ChapterError.writeFailed` naming the destination.
public func atomicWrite(_ data: Foundation.Data, to url: URL) throws {
  let folder = url.deletingLastPathComponent()
  // A hidden name that no other writer picks: the process id and a random number.
  let temporaryName =
    ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
  let temporary = folder.appendingPathComponent(temporaryName)
  do {
    try data.write(to: temporary)
  } catch {
    try? FileManager.default.removeItem(at: temporary)
    throw ChapterError.writeFailed(path: url.path, reason: reason(of: error))
  }
  if rename(temporary.path, url.path) != 0 {
    let message = String(cString: strerror(errno))
    try? FileManager.default.removeItem(at: temporary)
    throw ChapterError.writeFailed(path: url.path, reason: message)
  }
}

/// A short reason for a Foundation file error: the POSIX message when there is one ("Not a
/// directory", "Permission denied"), else Foundation's own description.
func reason(of error: Error) -> String {
  let nsError = error as NSError
  // Foundation wraps the system's error code; it may be stored as a Swift error, so cast to
  // `any Error` first and bridge to NSError after.
  if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? any Error {
    let posix = underlying as NSError
    if posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
  }
  if nsError.domain == NSPOSIXErrorDomain {
    return String(cString: strerror(Int32(nsError.code)))
  }
  return nsError.localizedDescription
}
