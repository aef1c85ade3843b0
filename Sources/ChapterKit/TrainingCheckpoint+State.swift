import Foundation

/// Where a training loop had got to when it saved itself, as stored in a checkpoint's metadata
/// (JSON). Everything a resumed loop needs to take exactly the steps the uninterrupted one would
/// have taken, besides the tensors (weights and optimizer moments, stored as tensors):
/// - how far: whole epochs done, batches done of the next one, the global step;
/// - the random generator now, and as it was before this epoch's shuffle (to rebuild the
///   epoch's batch order without storing 60,000 indices);
/// - the epoch's running loss sums, the history so far and every finished epoch's summary line.
///
/// Doubles and generator states are stored as hexadecimal bit patterns: a decimal round trip
/// through JSON is exact in principle, but a bit pattern is exact by construction, and the resumed
/// run must print the uninterrupted run's numbers to the last bit.
struct TrainingState: Codable, Equatable {
  var epochsDone: Int
  var batchesDone: Int
  var step: Int
  var generator: Bits
  var generatorBeforeShuffle: Bits
  var sums: [Sum]
  var history: [Series]
  var historySeconds: [Bits]
  var summaries: [Summary]

  struct Sum: Codable, Equatable {
    var name: String
    var total: Bits
    var weight: Int
  }

  struct Series: Codable, Equatable {
    var name: String
    var values: [Bits]
  }

  struct Summary: Codable, Equatable {
    var epoch: Int
    var seconds: Bits
    var images: Int
    var metrics: [Series]
  }

  /// A 64-bit pattern (a Double's, or a generator's state) as 16 hexadecimal digits.
  struct Bits: Codable, Equatable {
    var pattern: UInt64

    init(_ pattern: UInt64) { self.pattern = pattern }
    init(_ value: Double) { pattern = value.bitPattern }

    var double: Double { Double(bitPattern: pattern) }

    init(from decoder: any Decoder) throws {
      let text = try decoder.singleValueContainer().decode(String.self)
      guard let value = UInt64(text, radix: 16) else {
        throw DecodingError.dataCorrupted(
          .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not hexadecimal"))
      }
      pattern = value
    }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      try container.encode(String(pattern, radix: 16))
    }
  }
}

extension TrainingState {
  init(
    epochsDone: Int, batchesDone: Int, step: Int, generator: UInt64,
    generatorBeforeShuffle: UInt64, sums: WeightedSums, history: TrainingHistory,
    summaries: [EpochSummary]
  ) {
    self.epochsDone = epochsDone
    self.batchesDone = batchesDone
    self.step = step
    self.generator = Bits(generator)
    self.generatorBeforeShuffle = Bits(generatorBeforeShuffle)
    self.sums = sums.entries.map { Sum(name: $0.name, total: Bits($0.total), weight: $0.weight) }
    self.history = history.names.map { Series(name: $0, values: history[$0].map(Bits.init)) }
    historySeconds = history.epochSeconds.map(Bits.init)
    self.summaries = summaries.map { s in
      Summary(
        epoch: s.epoch, seconds: Bits(s.seconds), images: s.images,
        metrics: s.metrics.map { Series(name: $0.name, values: [Bits($0.value)]) })
    }
  }

  var weightedSums: WeightedSums {
    var sums = WeightedSums()
    for s in self.sums { sums.restore(s.name, total: s.total.double, weight: s.weight) }
    return sums
  }

  var trainingHistory: TrainingHistory {
    var h = TrainingHistory()
    for series in history { for value in series.values { h.append(series.name, value.double) } }
    h.epochSeconds = historySeconds.map(\.double)
    return h
  }

  var epochSummaries: [EpochSummary] {
    summaries.map { s in
      EpochSummary(
        epoch: s.epoch, seconds: s.seconds.double, images: s.images, meanBatchLoss: nil,
        metrics: s.metrics.map { (name: $0.name, value: $0.values.first?.double ?? .nan) })
    }
  }

  func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  static func decode(_ text: String) throws -> TrainingState {
    try JSONDecoder().decode(TrainingState.self, from: Foundation.Data(text.utf8))
  }
}
