/// The metrics as an aligned two-column table for the terminal, with the same numbers as
/// metrics.json rounded for reading. Nested groups flatten to dotted keys ("pca.test_mse"):
///
///     chapter                     vanilla
///     seed                        42
///     seconds_per_epoch_median    4.1
///     seconds_per_epoch           4.2, 4.1, 4.05
///     test_mse_per_pixel          0.0213
///     pca.test_mse_per_pixel      0.0251
extension MetricsFile {
  /// The table's text, one line per value, each ending in a newline.
  public func table() -> String {
    var rows: [(String, String)] = []
    for (key, value) in entries {
      // The results are the point of the run: their keys stand alone, without a "results." prefix.
      if key == "results" {
        appendRows(of: .group(results), prefix: "", to: &rows)
      } else {
        appendRows(of: value, prefix: key, to: &rows)
      }
    }
    let width = rows.map(\.0.count).max() ?? 0
    return rows.map { key, text in
      key + String(repeating: " ", count: width - key.count + 4) + text + "\n"
    }.joined()
  }

  /// Prints `table()` to standard output.
  public func printTable() {
    print(table(), terminator: "")
  }

  /// One row per leaf value, groups expanded in sorted key order.
  private func appendRows(of value: MetricValue, prefix: String, to rows: inout [(String, String)])
  {
    if case .group(let members) = value {
      for key in members.keys.sorted() {
        appendRows(of: members[key]!, prefix: prefix.isEmpty ? key : prefix + "." + key, to: &rows)
      }
    } else {
      rows.append((prefix, Self.text(of: value)))
    }
  }

  /// A leaf value as text: numbers with 4 significant digits, trailing zeros dropped.
  static func text(of value: MetricValue) -> String {
    switch value {
    case .number(let x): return Format.significant(x, digits: 4, trimZeros: true)
    case .integer(let n): return String(n)
    case .text(let s): return s
    case .flag(let b): return b ? "true" : "false"
    case .null: return "-"
    case .list(let values): return values.map { text(of: $0) }.joined(separator: ", ")
    case .group(let members):
      // Only reached for groups inside lists, which a chapter rarely writes.
      let inner = members.keys.sorted().map { "\($0): \(text(of: members[$0]!))" }
      return "{" + inner.joined(separator: ", ") + "}"
    }
  }
}
