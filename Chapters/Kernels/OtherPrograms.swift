// How much of the machine other programs used while the lab measured: on a shared machine, a
// compiler or a training run in the background takes a core away, and a two-thread kernel then
// runs at one-thread speed. The lab reports the share so that a reader can tell a slow kernel
// from a busy machine. Linux only (/proc); elsewhere the share is unknown.

import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Measures the share of all cores' time used by programs other than this one (and the child
/// processes it names) between `init` and `share(excluding:)`.
struct OtherProgramsMeter {
  private let machineStart: (busy: Double, total: Double)?
  private let ownStart: Double

  init() {
    machineStart = Self.machineSeconds()
    ownStart = Self.ownSeconds()
  }

  /// The fraction (0 to 1) of all cores' time since `init` that went to other programs, not
  /// counting this process or `children` (processes started after `init`, such as the NumPy
  /// workers). nil where /proc is missing.
  func share(excluding children: [Int32] = []) -> Double? {
    guard let start = machineStart, let now = Self.machineSeconds(), now.total > start.total
    else { return nil }
    let ours =
      Self.ownSeconds() - ownStart + children.compactMap(Self.seconds(ofProcess:)).reduce(0, +)
    let others = (now.busy - start.busy) - ours
    return min(1, max(0, others / (now.total - start.total)))
  }

  /// The share during the next `seconds`, this process sleeping meanwhile.
  static func share(over seconds: Double) -> Double? {
    let meter = OtherProgramsMeter()
    Thread.sleep(forTimeInterval: seconds)
    return meter.share()
  }

  /// Busy and total CPU seconds, summed over all cores, since boot. The first line of /proc/stat
  /// counts clock ticks per state: user, nice, system, idle, iowait, irq, softirq, steal, …
  private static func machineSeconds() -> (busy: Double, total: Double)? {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
      let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
    else { return nil }
    let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
    guard ticks.count >= 5 else { return nil }
    let total = ticks.reduce(0, +)
    return ((total - ticks[3] - ticks[4]) / ticksPerSecond, total / ticksPerSecond)
  }

  /// CPU seconds this process has used, all its threads together.
  private static func ownSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  /// CPU seconds process `pid` has used: fields 14 and 15 (utime, stime) of /proc/<pid>/stat,
  /// counted after the ")" that ends its name (a name may contain spaces).
  private static func seconds(ofProcess pid: Int32) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = text.lastIndex(of: ")")
    else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // fields[0] is field 3 (the state), so utime (field 14) is fields[11].
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
      return nil
    }
    return (user + system) / ticksPerSecond
  }

  private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
}
