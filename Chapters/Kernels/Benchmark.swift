// Timing helpers for the lab: how each contender is warmed up, how many runs it gets, and how the
// contenders take turns so that a drifting machine affects them all alike.

import Bottleneck
import Foundation

/// How long to time each contender on one shape.
struct TimingPolicy {
  /// Seconds of timed runs a contender gets (after its warm-up); a fast kernel gets many runs.
  var budget: Double
  /// At least this many timed runs, and at most `maxRuns`.
  var minRuns: Int
  var maxRuns: Int
  /// A warm-up run that takes longer than this is the one and only measurement: a run of
  /// seconds is not disturbed by the few milliseconds a warm-up would save, and repeating it
  /// would cost minutes.
  var longRun: Double
  /// The contenders take turns in this many batches, so a slow phase of the machine (its speed
  /// drifts between two modes over minutes) falls on all of them.
  var rounds: Int
  /// Seconds of rest after each contender's batch. Both the tiled kernels' helper threads and
  /// OpenBLAS's keep spinning for a moment after their last call, waiting for more work; the
  /// pause lets them go idle before the next contender starts, so neither competes with the other
  /// for a core.
  var rest = 0.02

  static let full = TimingPolicy(budget: 1.0, minRuns: 5, maxRuns: 300, longRun: 0.5, rounds: 5)
  static let quick = TimingPolicy(
    budget: 0.02, minRuns: 2, maxRuns: 20, longRun: 0.05, rounds: 2)
}

/// Something to time: `run` does one run and returns its seconds (nil when it failed, e.g. the
/// NumPy worker died). Most contenders time themselves with `seconds(_:)`; NumPy's time is taken
/// inside Python, so that talking to the Python process is not counted.
struct Contender {
  let name: String
  let run: () -> Double?
}

/// The median seconds of a contender's timed runs, and how many there were.
struct Timing {
  var seconds: Double
  var runs: Int
}

/// Seconds that `body` takes, once, on the monotonic clock.
func seconds(_ body: () -> Void) -> Double {
  measure(body).seconds
}

/// Times every contender with `policy`: a warm-up run each (first touch of memory, threads
/// started, caches filled), then `policy.rounds` rounds in which each contender does its next
/// batch of runs. Returns the median per contender name; a contender whose runs failed is missing.
func timeInterleaved(_ contenders: [Contender], policy: TimingPolicy) -> [String: Timing] {
  var samples: [String: [Double]] = [:]
  var planned: [String: Int] = [:]
  for contender in contenders {
    guard let warmUp = contender.run() else { continue }
    if warmUp > policy.longRun {
      samples[contender.name] = [warmUp]
      planned[contender.name] = 0
    } else {
      samples[contender.name] = []
      let runs = Int(policy.budget / max(warmUp, 1e-7))
      planned[contender.name] = min(policy.maxRuns, max(policy.minRuns, runs))
    }
  }
  for round in 0..<policy.rounds {
    for contender in contenders {
      guard let total = planned[contender.name], total > 0 else { continue }
      // Runs round·total/rounds ..< (round + 1)·total/rounds of this contender's total.
      let batch = (round + 1) * total / policy.rounds - round * total / policy.rounds
      for _ in 0..<batch {
        guard let time = contender.run() else {
          planned[contender.name] = 0
          samples[contender.name] = nil
          break
        }
        samples[contender.name]?.append(time)
      }
      Thread.sleep(forTimeInterval: policy.rest)
    }
  }
  return samples.compactMapValues { times in
    median(times).map { Timing(seconds: $0, runs: times.count) }
  }
}

/// `count` floats drawn uniformly from [-1, 1) by a seeded generator: every run of the lab
/// multiplies the same numbers.
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
  var rng = RandomGenerator(seed: seed)
  return (0..<count).map { _ in rng.uniform(-1, 1) }
}

/// The largest |x[i] − y[i]|, or NaN when any difference is NaN (an element a kernel never
/// wrote, if the output started as NaN). `max` alone would skip NaNs: `max(1, .nan)` is 1.
func maxAbsDifference(_ x: [Float], _ y: [Float]) -> Double {
  precondition(x.count == y.count, "maxAbsDifference: \(x.count) vs \(y.count) elements")
  var largest: Float = 0
  for i in x.indices {
    let difference = abs(x[i] - y[i])
    if difference.isNaN { return .nan }
    largest = max(largest, difference)
  }
  return Double(largest)
}

/// A table printed with aligned columns: the first column left-aligned, the others right-aligned.
struct TextTable {
  var header: [String]
  var rows: [[String]] = []

  init(_ header: [String]) { self.header = header }

  mutating func add(_ row: [String]) { rows.append(row) }

  var text: String {
    let all = [header] + rows
    let widths = header.indices.map { column in
      all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
    }
    func line(_ row: [String]) -> String {
      row.indices.map { column -> String in
        let cell = row[column]
        let fill = String(repeating: " ", count: widths[column] - cell.count)
        return column == 0 ? cell + fill : fill + cell
      }.joined(separator: "  ")
    }
    let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
  }
}

/// GFLOP/s for a table: three significant digits ("0.912", "22.5", "151").
func gflopsText(_ gflops: Double?) -> String {
  gflops.map { Format.significant($0, digits: 3) } ?? "-"
}

/// A max |difference| for a table: "0" or "3.1e-05".
func differenceText(_ difference: Double?) -> String {
  guard let difference else { return "-" }
  return difference == 0 ? "0" : String(format: "%.1e", difference)
}
