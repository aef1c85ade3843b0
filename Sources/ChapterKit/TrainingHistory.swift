/// What a training run reported, epoch by epoch: every training loss (by name, as printed
/// without the `train_` prefix: "mse", "kl"), every evaluation metric ("test_mse"), and seconds.
public struct TrainingHistory: Sendable {
  /// The names in the order they were first reported: training losses, then evaluation metrics.
  public private(set) var names: [String] = []
  /// Each name's value for every epoch, in order.
  public private(set) var values: [String: [Double]] = [:]
  /// Seconds each epoch took, evaluation included.
  public var epochSeconds: [Double] = []

  public init() {}

  /// Appends one epoch's value of `name`.
  public mutating func append(_ name: String, _ value: Double) {
    if values[name] == nil { names.append(name) }
    values[name, default: []].append(value)
  }

  /// Every epoch's value of `name` (empty if it was never reported).
  public subscript(name: String) -> [Double] { values[name] ?? [] }

  /// The last epoch's value of `name`, or NaN if it was never reported.
  public func last(_ name: String) -> Double { values[name]?.last ?? .nan }

  /// The history as a metrics.json group, the same keys for every model of every chapter:
  /// `<name>` (the last epoch's value), `<name>_per_epoch`, `epochs`, `seconds_per_epoch`.
  public var metrics: MetricValue {
    var group: [String: MetricValue] = [
      "epochs": MetricValue(epochSeconds.count),
      "seconds_per_epoch": .list(epochSeconds.map { MetricValue($0) }),
    ]
    for name in names {
      group[name] = MetricValue(last(name))
      group[name + "_per_epoch"] = .list(self[name].map { MetricValue($0) })
    }
    return .group(group)
  }
}
