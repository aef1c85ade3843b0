/// One value in metrics.json: a number, a string, a flag, a list, or a named group of values.
///
/// The literal conformances let a chapter write values as plain literals:
///
///     metrics["test_mse_per_pixel"] = MetricValue(testLoss)       // from a Float or Double
///     metrics["pca"] = ["components": 32, "test_mse_per_pixel": MetricValue(pcaLoss)]
public indirect enum MetricValue: Sendable, Equatable, Encodable {
  case number(Double)
  case integer(Int)
  case text(String)
  case flag(Bool)
  case list([MetricValue])
  case group([String: MetricValue])
  /// "not known", written as JSON `null` (e.g. peak memory on a system without /proc).
  case null

  /// A floating-point value of any precision, stored as Double. (A Float such as 0.0213 becomes
  /// 0.021300000324845314: the nearest Double to the Float, not to 0.0213.)
  public init<F: BinaryFloatingPoint>(_ value: F) { self = .number(Double(value)) }

  /// An integer value.
  public init<I: BinaryInteger>(_ value: I) { self = .integer(Int(value)) }

  /// `value`, or `.null` when it is nil.
  public init(orNull value: Double?) { self = value.map { .number($0) } ?? .null }

  /// JSON has no NaN or infinity, so non-finite numbers are written as `null`.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .number(let value):
      if value.isFinite { try container.encode(value) } else { try container.encodeNil() }
    case .integer(let value): try container.encode(value)
    case .text(let value): try container.encode(value)
    case .flag(let value): try container.encode(value)
    case .list(let values): try container.encode(values)
    case .group(let values): try container.encode(values)
    case .null: try container.encodeNil()
    }
  }
}

extension MetricValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral
{
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(integerLiteral value: Int) { self = .integer(value) }
  public init(stringLiteral value: String) { self = .text(value) }
  public init(booleanLiteral value: Bool) { self = .flag(value) }
  public init(arrayLiteral elements: MetricValue...) { self = .list(elements) }
  public init(dictionaryLiteral elements: (String, MetricValue)...) {
    self = .group(Dictionary(elements, uniquingKeysWith: { _, last in last }))
  }
}

extension MetricValue {
  /// A sweep's points for metrics.json, the same shape in every chapter: for each series (an L1
  /// λ sweep, a KL β sweep, ...) a list of `{"setting", "test_mse_per_pixel", <measure>}`.
  public static func sweep(
    _ series: [String: [(setting: Double, mse: Double, measure: Double)]], measure: String
  ) -> MetricValue {
    .group(
      series.mapValues { points in
        .list(
          points.map {
            [
              "setting": MetricValue($0.setting), "test_mse_per_pixel": MetricValue($0.mse),
              measure: MetricValue($0.measure),
            ]
          })
      })
  }
}
