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
