import Foundation
import Testing

@testable import ChapterKit

@Test func createsNestedFoldersAndLeavesNoProbeBehind() throws {
  let scratch = try makeScratchFolder()
  defer { try? FileManager.default.removeItem(at: scratch) }
  let target = scratch.appendingPathComponent("output/vanilla", isDirectory: true)
  let folder = try OutputFolder(creating: target)
  var isFolder: ObjCBool = false
  #expect(FileManager.default.fileExists(atPath: target.path, isDirectory: &isFolder))
  #expect(isFolder.boolValue)
  #expect(try contents(of: target).isEmpty)
  #expect(folder.file("metrics.json").path == target.path + "/metrics.json")
  // An existing folder is fine too.
  _ = try OutputFolder(creating: target)
}

@Test func aFileInTheWayIsReportedWithThePathAndTheFix() throws {
  let scratch = try makeScratchFolder()
  defer { try? FileManager.default.removeItem(at: scratch) }
  let file = scratch.appendingPathComponent("vanilla")
  try Data("not a folder".utf8).write(to: file)
  let error = #expect(throws: ChapterError.self) { try OutputFolder(creating: file) }
  #expect(error == .outputPathIsNotAFolder(path: file.path))
  #expect(error?.description.contains(file.path) == true)
  #expect(error?.description.contains("--output") == true)
}

@Test func aPathUnderARegularFileCannotBeCreated() throws {
  let scratch = try makeScratchFolder()
  defer { try? FileManager.default.removeItem(at: scratch) }
  let file = scratch.appendingPathComponent("plain-file")
  try Data("x".utf8).write(to: file)
  let target = file.appendingPathComponent("output/vanilla")
  let error = #expect(throws: ChapterError.self) { try OutputFolder(creating: target) }
  guard case .outputFolderNotCreatable(let path, let reason)? = error else {
    Issue.record("unexpected error \(String(describing: error))")
    return
  }
  #expect(path == target.path)
  #expect(reason == "'\(file.path)' is a file, not a folder")
  #expect(error?.description.contains("--output") == true)
}

@Test func atomicWriteLeavesOnlyTheFinalFile() throws {
  let scratch = try makeScratchFolder()
  defer { try? FileManager.default.removeItem(at: scratch) }
  let folder = try OutputFolder(creating: scratch)
  let url = try folder.write(Data("first".utf8), to: "metrics.json")
  try atomicWrite(Data("second, longer".utf8), to: url)  // replaces the old file
  #expect(try contents(of: scratch) == ["metrics.json"])
  #expect(try String(contentsOf: url, encoding: .utf8) == "second, longer")
}

@Test func atomicWriteIntoAMissingFolderFailsCleanly() throws {
  let scratch = try makeScratchFolder()
  defer { try? FileManager.default.removeItem(at: scratch) }
  let url = scratch.appendingPathComponent("missing/metrics.json")
  let error = #expect(throws: ChapterError.self) { try atomicWrite(Data("x".utf8), to: url) }
  guard case .writeFailed(let path, let reason)? = error else {
    Issue.record("unexpected error \(String(describing: error))")
    return
  }
  #expect(path == url.path)
  #expect(reason.contains("missing") && reason.contains("does not exist"), "\(reason)")
  #expect(try contents(of: scratch).isEmpty)
}

@Test func optionsCreateTheOutputFolderTheyName() throws {
  let scratch = try makeScratchFolder()
  defer { try? FileManager.default.removeItem(at: scratch) }
  let options = try ChapterOptions.parse(["--output", scratch.path + "/runs/a"])
  let folder = try options.outputFolder(chapter: "vanilla")
  #expect(folder.url.path == scratch.path + "/runs/a")
  #expect(FileManager.default.fileExists(atPath: folder.url.path))
}

@Test func aFolderThatRefusesNewFilesIsNotWritable() throws {
  // Tests run as root, who may write anywhere permissions allow; /proc/self is a folder in which
  // nobody can create a file, so the probe write fails even for root.
  #if os(Linux)
    let proc = URL(fileURLWithPath: "/proc/self", isDirectory: true)
    let error = #expect(throws: ChapterError.self) { try OutputFolder(creating: proc) }
    guard case .outputFolderNotWritable(let path, let reason)? = error else {
      Issue.record("unexpected error \(String(describing: error))")
      return
    }
    #expect(path == "/proc/self")
    #expect(!reason.isEmpty)
    #expect(error?.description.contains("--output") == true)
  #endif
}
