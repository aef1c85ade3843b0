import AtomicWrites
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes `data` to `url` so that a reader sees either the old file or the whole new one, never a
/// half-written file, even if the program is killed midway (see AtomicWrites/AtomicFile.swift for
/// how). Throws `ChapterError.writeFailed` naming the destination.
public func atomicWrite(_ data: Foundation.Data, to url: URL) throws {
  do {
    try AtomicFile.write(data, to: url)
  } catch {
    throw ChapterError.writeFailed(path: url.path, reason: error.reason)
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
