// libFuzzer harness for the IDX reader: `IDXFile.read(bytes:file:)`, what `IDXFile.read(from:)`
// does once it has a file's bytes (gzip or not by the first two bytes, zlib's inflate, then the
// header and the size checks). Built and run by fuzz.sh; not one of the package's targets.
//
// A DataError is a correct answer to any input. A finding is a crash, a hang, a leak, an
// allocation over libFuzzer's limit, another kind of error, or one of the checks below failing:
// a file read must encode back to its bytes, and the same bytes gzip-compressed, as one member or
// as two (what `cat a.gz b.gz` makes), must read to the same file or the same error.

import Data
import Foundation

private let file = URL(fileURLWithPath: "/fuzz/input-idx3-ubyte")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDXReader(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count))
  let direct = outcome(bytes)
  if !Gzip.isCompressed(bytes) {
    let oneMember = outcome(Gzip.compress(bytes, level: 1))
    precondition(oneMember == direct, "plain: \(direct), gzip-compressed: \(oneMember)")
    let half = bytes.count / 2
    let twoMembers = outcome(
      Gzip.compress(Array(bytes[..<half]), level: 1) + Gzip.compress(Array(bytes[half...])))
    precondition(twoMembers == direct, "plain: \(direct), as two gzip members: \(twoMembers)")
  }
  return 0
}

/// What reading `bytes` gives: the file, or the DataError.
private enum Outcome: Equatable {
  case file(IDXFile)
  case error(DataError)
}

private func outcome(_ bytes: [UInt8]) -> Outcome {
  do {
    let idx = try IDXFile.read(bytes: bytes, file: file)
    precondition(idx.bytes.count == idx.dims.reduce(1, *), "\(idx.dims) vs \(idx.bytes.count)")
    let contents = Gzip.isCompressed(bytes) ? try Gzip.decompress(bytes, file: file) : bytes
    precondition(idx.encoded() == contents, "read \(idx.dims) does not encode back to its bytes")
    return .file(idx)
  } catch let error as DataError {
    precondition(!error.description.isEmpty)
    return .error(error)
  } catch {
    fatalError("IDXFile.read threw \(type(of: error)), not a DataError: \(error)")
  }
}
