import Foundation
import TensorCore
import Testing

@testable import Checkpoint

// Each test writes a broken file by hand and checks that reading it throws the right
// CheckpointError (never crashes), and that the message names the problem.

/// The CheckpointError that reading `url` throws, or nil (recording an issue) if it does not.
private func readError(_ url: URL) -> CheckpointError? {
  do {
    _ = try SafeTensors.read(from: url)
    Issue.record("reading \(url.lastPathComponent) should have thrown")
  } catch let error as CheckpointError {
    return error
  } catch {
    Issue.record("unexpected error type: \(error)")
  }
  return nil
}

/// A valid header for one F32 tensor "w" of `shape` at `offsets`.
private func header(dtype: String = "F32", shape: String = "[2]", offsets: String = "[0,8]")
  -> String
{
  "{\"w\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}"
}

private let eightBytes: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64]  // 1.0, 2.0

@Test func handMadeValidFileReads() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = try folder.writeRaw("ok", header: header() + "   ", data: eightBytes)
  #expect(try SafeTensors.read(from: url).tensors["w"]?.scalars == [1, 2])
}

@Test func missingFileThrowsFileMissing() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let error = readError(folder.file("nothing.safetensors"))
  #expect(error == .fileMissing(path: folder.file("nothing.safetensors").path))
  #expect(error?.description.contains("no file at") == true)
}

@Test func fileShorterThanEightBytesThrows() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("short")
  try Data([1, 2, 3]).write(to: url)
  #expect(readError(url) == .fileTooShort(path: url.path, byteCount: 3))
}

@Test func truncatedHeaderThrowsHeaderTooLong() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  // The length says 100 bytes of header but only 20 follow.
  let url = try folder.writeRaw("cut", header: String(header().prefix(20)), headerLength: 100)
  #expect(readError(url) == .headerTooLong(path: url.path, headerLength: 100, fileSize: 28))
}

@Test func hugeHeaderLengthThrowsInsteadOfOverflowing() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  for length in [UInt64.max, UInt64(Int.max), 1 << 40] {
    let url = try folder.writeRaw("huge", header: header(), data: eightBytes, headerLength: length)
    guard case .headerTooLong(_, let claimed, _)? = readError(url) else {
      Issue.record("expected headerTooLong for \(length)")
      continue
    }
    #expect(claimed == length)
  }
}

@Test func truncatedDataThrowsBadOffsets() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = try folder.writeRaw("cut", header: header(), data: Array(eightBytes.prefix(5)))
  guard case .badOffsets(_, let tensor, let reason)? = readError(url) else {
    Issue.record("expected badOffsets")
    return
  }
  #expect(tensor == "w")
  #expect(reason.contains("past the end"))
}

@Test func garbageOrNonObjectJSONThrowsInvalidHeader() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let headers = [
    "this is not json", "{\"w\": {\"dtype\": ", "[1, 2, 3]", "\"just a string\"", "",
    String(decoding: [0xFF, 0xFE, 0x7B, 0x7D], as: UTF8.self),
  ]
  for (i, text) in headers.enumerated() {
    let url = try folder.writeRaw("bad\(i)", header: text)
    guard case .invalidHeader? = readError(url) else {
      Issue.record("expected invalidHeader for header \(text.debugDescription)")
      continue
    }
  }
  // Invalid UTF-8 bytes in the header.
  let url = folder.file("latin1")
  try Data([4, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF, 0xFE, 0x7D]).write(to: url)
  guard case .invalidHeader? = readError(url) else {
    Issue.record("expected invalidHeader for invalid UTF-8")
    return
  }
}

@Test func malformedEntriesThrowInvalidHeader() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let headers = [
    "{\"w\": 3}",
    "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}",  // no dtype
    header(shape: "[-2]"),
    header(shape: "[2.5]"),
    header(shape: "\"2\""),
    header(shape: "[true, 2]"),
    header(shape: "[2.0]"),
    header(offsets: "[0]"),
    header(offsets: "[0,8,16]"),
    header(offsets: "[-8,8]"),
    header(shape: "[100000000000,100000000000,100000000000]", offsets: "[0,8]"),
    "{\"__metadata__\":{\"epoch\":3}}",
  ]
  for (i, text) in headers.enumerated() {
    let url = try folder.writeRaw("bad\(i)", header: text, data: eightBytes)
    guard case .invalidHeader? = readError(url) else {
      Issue.record("expected invalidHeader for header \(text)")
      continue
    }
  }
}

@Test func unsupportedDTypeIsNamed() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = try folder.writeRaw(
    "f16", header: header(dtype: "F16", offsets: "[0,4]"), data: [0, 0, 0, 0])
  let error = readError(url)
  #expect(error == .unsupportedDType(path: url.path, tensor: "w", dtype: "F16"))
  #expect(error?.description.contains("F16") == true)
  #expect(error?.description.contains("only F32") == true)
}

@Test func badOffsetsAreCaught() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
  let cases: [(header: String, data: [UInt8], tensor: String, says: String)] = [
    (header(offsets: "[0,12]"), eightBytes + [0, 0, 0, 0], "w", "needs 8"),  // wrong size
    (header(offsets: "[8,0]"), eightBytes, "w", "after end"),  // reversed
    (header(offsets: "[0,800]"), eightBytes, "w", "past the end"),  // out of range
    (header(offsets: "[4,12]"), eightBytes + [0, 0, 0, 0], "w", "gap"),  // gap at the start
    (header(), eightBytes + [0, 0, 0, 0], "w", "holds 12 bytes"),  // trailing bytes
    (
      two + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
      eightBytes + eightBytes, "b", "overlaps"
    ),
    (
      two + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
      eightBytes + eightBytes, "b", "gap"
    ),
  ]
  for (i, c) in cases.enumerated() {
    let url = try folder.writeRaw("bad\(i)", header: c.header, data: c.data)
    guard case .badOffsets(_, let tensor, let reason)? = readError(url) else {
      Issue.record("expected badOffsets for case \(i): \(c.header)")
      continue
    }
    #expect(tensor == c.tensor, "case \(i)")
    #expect(reason.contains(c.says), "case \(i): \(reason)")
  }
  // No tensors at all, but data bytes after the header.
  let url = try folder.writeRaw("orphan", header: "{}", data: eightBytes)
  guard case .invalidHeader? = readError(url) else {
    Issue.record("expected invalidHeader for data without tensors")
    return
  }
}

@Test func everyTruncationOfAValidFileThrowsWithoutCrashing() throws {
  let folder = try TemporaryFolder()
  defer { folder.remove() }
  let url = folder.file("model.safetensors")
  try SafeTensors.write(
    [
      ("w", Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])),
      ("b", Tensor(shape: [2], scalars: [5, 6])),
    ],
    metadata: ["k": "v"], to: url)
  let bytes = [UInt8](try Data(contentsOf: url))
  for length in 0..<bytes.count {
    let cut = folder.file("cut\(length)")
    try Data(bytes.prefix(length)).write(to: cut)
    #expect(throws: CheckpointError.self, "prefix of \(length) bytes") {
      try SafeTensors.read(from: cut)
    }
  }
}
