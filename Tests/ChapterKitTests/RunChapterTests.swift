import ArgumentParser
import Foundation
import Kernels
import Testing

@testable import ChapterKit

@Test func chapterErrorsArePrintedAndBecomeExitCodeOne() throws {
  var written = ""
  let error = ChapterError.outputPathIsNotAFolder(path: "/tmp/x")
  #expect(throws: ExitCode.failure) { try report(error, to: { written += $0 }) }
  #expect(written == "error: " + error.description + "\n")
}

@Test func argumentParserErrorsPassThroughUnprinted() throws {
  var written = ""
  #expect(throws: ValidationError.self) {
    try report(ValidationError("bad"), to: { written += $0 })
  }
  #expect(throws: ExitCode.self) { try report(ExitCode(3), to: { written += $0 }) }
  #expect(written.isEmpty)
}

@Test func errorMessagesUseTheDescription() {
  #expect(
    chapterErrorMessage(for: KernelSetError.unknownName("fast"))
      == "error: unknown kernel set 'fast': use one of naive, tiled")
  let error = ChapterError.nonFiniteLoss(epoch: 1, batch: 2, loss: .infinity)
  #expect(chapterErrorMessage(for: error) == "error: " + error.description)
}

@Test func runChapterRunsTheBodyAndRethrowsExitCodes() throws {
  var ran = false
  try runChapter { ran = true }
  #expect(ran)
  #expect(throws: ExitCode.failure) { try runChapter { throw ExitCode.failure } }
}

@Test func argumentParserPrintsAChapterErrorFromRunReadably() {
  // What `Vanilla.main()` prints when `run()` throws without `runChapter`.
  let error = ChapterError.outputFolderNotWritable(path: "/out", reason: "Read-only file system")
  #expect(DemoChapter.fullMessage(for: error) == "Error: " + error.description)
  #expect(DemoChapter.exitCode(for: error) == .failure)
  // And what it prints for the ExitCode that `runChapter` throws after printing: nothing.
  #expect(DemoChapter.fullMessage(for: ExitCode.failure) == "")
  #expect(DemoChapter.exitCode(for: ExitCode.failure) == .failure)
}
