/// Measures elapsed time on the monotonic clock, which never jumps when the wall clock is changed
/// (by NTP, say), so a duration can never come out negative or hours too long.
///
///     let watch = Stopwatch()
///     train()
///     print(watch.seconds)
public struct Stopwatch: Sendable {
  private var start: ContinuousClock.Instant

  /// A stopwatch that starts running now.
  public init() { start = ContinuousClock.now }

  /// Seconds since `init` or the last `restart()`.
  public var seconds: Double { Stopwatch.seconds(in: ContinuousClock.now - start) }

  /// Starts counting from zero again.
  public mutating func restart() { start = ContinuousClock.now }

  /// Seconds on the monotonic clock since an arbitrary fixed moment (the first call in this
  /// process). Only differences between two readings mean anything. `Progress` reads time through
  /// a function of this type, so tests can give it a fake clock.
  public static func monotonicSeconds() -> Double {
    seconds(in: ContinuousClock.now - processStart)
  }

  /// A `Duration` as a number of seconds.
  public static func seconds(in duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) * 1e-18
  }
}

/// Fixed reference for `Stopwatch.monotonicSeconds()`. A global `let` is initialized once,
/// lazily and thread-safely.
private let processStart = ContinuousClock.now

/// Runs `body` and returns its result together with how many seconds it took.
public func measure<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
  let watch = Stopwatch()
  let result = try body()
  return (result, watch.seconds)
}

/// The median of `values`: the middle one after sorting, or the mean of the two middle ones for an
/// even count; nil when empty. Timings report the median rather than the mean because one slow
/// epoch (the first one warming caches, or another program busy) would drag a mean up.
public func median(_ values: [Double]) -> Double? {
  guard !values.isEmpty else { return nil }
  let sorted = values.sorted()
  let middle = sorted.count / 2
  if sorted.count % 2 == 1 { return sorted[middle] }
  return (sorted[middle - 1] + sorted[middle]) / 2
}
