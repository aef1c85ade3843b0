import TensorCore
import CZlib
import Foundation

/// gzip compression and decompression of whole byte arrays, through the system's zlib.
///
/// The data sets ship as `.gz` files. We recognise them by their first two bytes (the gzip magic
/// number 1f 8b), not by their name, then inflate the whole file in memory: the compressed MNIST
/// training images are 26 MB and inflate to 47 MB, small enough to hold at once, and one in-memory
/// pass lets zlib tell us exactly what went wrong (bad data, bad checksum, stream cut short).
public enum Gzip {
  /// True when `bytes` starts with the gzip magic number 1f 8b.
  public static func isCompressed(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
  }

  /// The decompressed contents of the gzip data `bytes`, read from `file` (named in errors).
  /// Several gzip members one after another (what `cat a.gz b.gz` makes) decompress to their
  /// concatenation, as with the `gunzip` tool.
  public static func decompress(_ bytes: [UInt8], file: URL) throws -> [UInt8] {
    // zlib's state keeps a pointer back to its z_stream and checks it on every call, so the
    // z_stream must not move: it lives in memory we allocate, not in a Swift local variable.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }

    // windowBits 15 (the 32 KB window every gzip file may use) + 16: expect a gzip wrapper
    // (header and CRC-32 trailer) rather than zlib's own.
    guard inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { throw DataError.corruptGzip(file, detail: "zlib could not start inflating") }
    defer { inflateEnd(stream) }
    guard bytes.count <= Int(UInt32.max) else {
      throw DataError.corruptGzip(file, detail: "files over 4 GiB are not supported")
    }

    // The gzip trailer ends with the uncompressed size mod 2^32 (little-endian): a good first
    // guess for the output buffer, capped so that a damaged trailer cannot ask for gigabytes.
    var capacity = 1 << 16
    if bytes.count >= 18 {
      let n = bytes.count
      let size =
        Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16
        | Int(bytes[n - 1]) << 24
      capacity = max(capacity, min(size, 256 * n))
    }
    var output = [UInt8](repeating: 0, count: capacity)
    var produced = 0

    try bytes.withUnsafeBufferPointer { input in
      // zlib declares next_in mutable but never writes through it.
      stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.pointee.avail_in = UInt32(input.count)
      while true {
        if produced == output.count {  // out of room: double the buffer
          output.append(contentsOf: repeatElement(0, count: output.count))
        }
        let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
          let room = min(out.count - produced, Int(UInt32.max))
          stream.pointee.next_out = out.baseAddress! + produced
          stream.pointee.avail_out = UInt32(room)
          let status = inflate(stream, Z_NO_FLUSH)
          produced += room - Int(stream.pointee.avail_out)
          return status
        }
        switch status {
        case Z_STREAM_END:
          // End of one gzip member: done, unless another member follows.
          if stream.pointee.avail_in == 0 { return }
          inflateReset(stream)
        case Z_OK:
          continue
        case Z_BUF_ERROR where stream.pointee.avail_in == 0:
          throw DataError.corruptGzip(
            file, detail: "the compressed stream ends early: the file is truncated")
        case Z_BUF_ERROR:
          continue  // no room for output: the next pass grows the buffer
        default:
          let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
          throw DataError.corruptGzip(file, detail: message)
        }
      }
    }
    output.removeSubrange(produced...)
    return output
  }

  /// `bytes` compressed as one gzip member (what `gzip -c` writes), at zlib `level` 0...9.
  public static func compress(_ bytes: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    let started = deflateInit2_(
      stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
      Int32(MemoryLayout<z_stream>.size))
    check(started == Z_OK, "Gzip.compress: deflateInit2 failed (\(started))")
    defer { deflateEnd(stream) }
    check(bytes.count <= Int(UInt32.max), "Gzip.compress: input over 4 GiB")

    // deflateBound is an upper limit on the compressed size (gzip wrapper included), so a single
    // deflate call with Z_FINISH compresses everything.
    let bound = Int(deflateBound(stream, UInt(bytes.count)))
    var output = [UInt8](repeating: 0, count: bound)
    let written = bytes.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { out -> Int in
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = out.baseAddress
        stream.pointee.avail_out = UInt32(out.count)
        let status = deflate(stream, Z_FINISH)
        check(status == Z_STREAM_END, "Gzip.compress: deflate returned \(status)")
        return out.count - Int(stream.pointee.avail_out)
      }
    }
    output.removeSubrange(written...)
    return output
  }
}
