import ArgumentParser
import Foundation

/// Runs a chapter's body and turns any error into one clean line on standard error:
///
///     struct Vanilla: ParsableCommand {
///       @OptionGroup var options: ChapterOptions
///       func run() throws {
///         try runChapter {
///           …the chapter…
///         }
///       }
///     }
///     Vanilla.main()
///
/// An error thrown by `body` is printed as `error: <description>` (its `LocalizedError` or
/// `CustomStringConvertible` text), then `runChapter` throws `ExitCode.failure`, which
/// ArgumentParser's `main()` turns into exit status 1 without printing anything more. Throwing
/// instead of calling `exit(1)` lets `defer` blocks on the way out still run.
///
/// ArgumentParser's own errors (`ValidationError`, `CleanExit`, `ExitCode`) pass through
/// unchanged, so ArgumentParser prints them in its usual way (a validation error with the usage
/// line). Without `runChapter` an error from `run()` still reaches the user, as
/// `Error: <description>`; `runChapter` only makes the wording uniform and flushes the output.
public func runChapter(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch {
    try report(error, to: writeToStandardError)
  }
}

/// The message `runChapter` prints for `error`: `error: ` and its description.
public func chapterErrorMessage(for error: Error) -> String {
  let description: String
  if let localized = error as? LocalizedError, let text = localized.errorDescription {
    description = text
  } else {
    description = String(describing: error)
  }
  return "error: " + description
}

/// Rethrows ArgumentParser's own errors; prints any other one with `write` and throws
/// `ExitCode.failure`. (Separate from `runChapter` so tests can capture what is written.)
func report(_ error: Error, to write: (String) -> Void) throws -> Never {
  switch error {
  case is ValidationError, is CleanExit, is ExitCode:
    throw error
  case ChapterError.interrupted(let signal, _, _):
    write("\(error)\n")  // not an error: where it stopped, then how to go on
    write("Resume with: \(ChapterRun.resumeCommand())\n")
    throw ExitCode(128 + signal)
  default:
    write(chapterErrorMessage(for: error) + "\n")
    throw ExitCode.failure
  }
}

/// Writes to standard error, after flushing standard output so the message comes after anything
/// the chapter already printed. When both go to the same terminal, a live progress line may still
/// be on screen without its newline: "\r" + "ESC[K" clears that line (and does nothing visible on
/// an empty one) so the message starts at the left edge.
private func writeToStandardError(_ text: String) {
  fflush(nil)
  let clearLine = isatty(1) == 1 && isatty(2) == 1 ? "\r\u{1B}[K" : ""
  FileHandle.standardError.write(Foundation.Data((clearLine + text).utf8))
}
