import Foundation
import Kernels

/// The table `--profile` prints: where a run's time went, kernel kind by kernel kind.
///
///     where the time went (41.2 s wall)              seconds   share    calls   GFLOP/s
///     gemm                                             24.91   60.5%   84,420     128.3
///     unary sigmoid                                     2.10    5.1%   ...
///     everything else (allocation, copies, loops)       9.87   24.0%
public struct KernelProfileReport {
  public var tally: KernelTally
  public var wallSeconds: Double

  public init(tally: KernelTally, wallSeconds: Double) {
    self.tally = tally
    self.wallSeconds = wallSeconds
  }

  public var text: String {
    let rows = tally.sorted
    let kernelSeconds = rows.reduce(0) { $0 + $1.entry.seconds }
    func line(_ name: String, _ seconds: Double, _ calls: String, _ rate: String) -> String {
      name.padding(toLength: 44, withPad: " ", startingAt: 0)
        + pad(String(format: "%.2f", seconds), 9)
        + pad(String(format: "%.1f%%", 100 * seconds / max(wallSeconds, 1e-9)), 8)
        + pad(calls, 11) + pad(rate, 10)
    }
    var out = [
      line(
        "where the time went (\(String(format: "%.1f", wallSeconds)) s wall)", 0, "calls", "GFLOP/s"
      ).replacingOccurrences(of: "     0.00    0.0%", with: "  seconds   share")
    ]
    for (kind, entry) in rows {
      let rate = kind == "gemm" ? String(format: "%.1f", entry.flops / entry.seconds / 1e9) : ""
      out.append(line(kind, entry.seconds, Format.grouped(entry.calls), rate))
    }
    out.append(
      line("all kernels", kernelSeconds, Format.grouped(rows.reduce(0) { $0 + $1.entry.calls }), "")
    )
    out.append(
      line("everything else (allocation, copies, loops)", wallSeconds - kernelSeconds, "", ""))
    return out.joined(separator: "\n")
  }

  private func pad(_ s: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - s.count)) + s
  }
}
