import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ctrl-C (SIGINT) and SIGTERM, turned into a question the training loop asks between batches:
/// "has somebody asked us to stop?"
///
/// A signal handler may do almost nothing safely (no allocation, no locks, no printing), and
/// stopping in the middle of a batch would leave the weights half-updated. So we do not handle the
/// signal where it lands. `install()` tells the system to ignore SIGINT and SIGTERM and asks
/// Dispatch to tell a background thread instead; that thread, an ordinary one, records the
/// request. The loop sees it after the batch under way, saves a checkpoint and throws
/// `ChapterError.interrupted`, and `runChapter` prints where it stopped and how to resume, and
/// exits with 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM), the shell convention.
///
/// Two cases stop at once instead, by `_exit` (files are written atomically, so none is left
/// half-written):
/// - a second Ctrl-C or SIGTERM (the learner does not want to wait for the batch);
/// - a signal while no checkpointed training runs (PCA, figures, evaluation): every finished
///   training is already in its checkpoint, and the rest is recomputed on `--resume`.
public final class StopRequest: @unchecked Sendable {
  /// The one the chapters use (signals are process-wide).
  public static let shared = StopRequest()

  private let lock = NSLock()
  private var signal: Int32?
  private var training = 0
  private var sources: [any DispatchSourceSignal] = []
  /// What to print when stopping at once: how to go on from here.
  private var resumeHint: @Sendable () -> String = { "" }

  /// A separate instance for a test, which calls `request(_:)` itself.
  public init() {}

  /// Starts listening for SIGINT and SIGTERM. Call once, early (ChapterRun does).
  public func install(resumeHint: @escaping @Sendable () -> String) {
    lock.withLock {
      self.resumeHint = resumeHint
      guard sources.isEmpty else { return }
      for number in [SIGINT, SIGTERM] {
        #if canImport(Glibc)
          Glibc.signal(number, SIG_IGN)
        #else
          Darwin.signal(number, SIG_IGN)
        #endif
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { [unowned self] in self.request(number) }
        source.resume()
        sources.append(source)
      }
    }
  }

  /// Records a stop request for `signal` (SIGINT or SIGTERM), or stops the process at once if one
  /// was already made or no training is under way.
  public func request(_ signal: Int32) {
    let (first, inTraining, hint, installed) = lock.withLock {
      let first = self.signal == nil
      if first { self.signal = signal }
      return (first, training > 0, resumeHint(), !sources.isEmpty)
    }
    if first && inTraining {
      write(
        "\n\(Self.name(of: signal)): stopping after this batch and saving a checkpoint"
          + " (press Ctrl-C again to quit at once)\n")
      return
    }
    guard installed else { return }  // a test's own instance never exits the process
    write(
      "\n\(Self.name(of: signal)): stopped \(first ? "outside training" : "at once")."
        + (hint.isEmpty ? "" : " \(hint)") + "\n")
    _exit(128 + (first ? signal : self.signal ?? signal))
  }

  /// The signal asked for, if any (SIGINT or SIGTERM).
  public var requested: Int32? { lock.withLock { signal } }

  /// Runs `body` as checkpointed training (when `active`): a signal during it waits for the
  /// loop to stop.
  public func duringTraining<T>(if active: Bool = true, _ body: () throws -> T) rethrows -> T {
    guard active else { return try body() }
    lock.withLock { training += 1 }
    defer { lock.withLock { training -= 1 } }
    return try body()
  }

  /// Forgets a request (for tests that reuse an instance).
  public func clear() { lock.withLock { signal = nil } }

  /// "Ctrl-C" for SIGINT, "SIGTERM" for SIGTERM, "signal N" otherwise.
  public static func name(of signal: Int32) -> String {
    switch signal {
    case SIGINT: return "Ctrl-C"
    case SIGTERM: return "SIGTERM"
    default: return "signal \(signal)"
    }
  }

  private func write(_ text: String) {
    fflush(nil)
    FileHandle.standardError.write(Foundation.Data(text.utf8))
  }
}
