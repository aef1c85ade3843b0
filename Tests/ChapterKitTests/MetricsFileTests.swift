import Foundation
import Testing

@testable import ChapterKit

func sampleMetrics() -> MetricsFile {
  var metrics = MetricsFile(
    chapter: "vanilla", seed: 7, kernels: "tiled", threads: 2, epochs: 3, batchSize: 128)
  metrics.secondsPerEpoch = [4.5, 4.0, 4.25]
  metrics.peakMemoryMiB = 312.5
  metrics.wallSeconds = 15.125
  metrics.cpu = ["isa": "avx2+fma", "tile": "6x16"]
  metrics["test_mse_per_pixel"] = MetricValue(Float(0.0213))
  metrics["train_mse_per_pixel"] = 0.1234567890123
  metrics["diverged"] = false
  metrics["unknown"] = MetricValue(Double.nan)
  metrics["pca"] = ["components": 32, "test_mse_per_pixel": 0.0251]
  return metrics
}

@Test func metricsJSONRoundTrips() throws {
  let scratch = try makeScratchFolder()
  defer { try? FileManager.default.removeItem(at: scratch) }
  let url = try sampleMetrics().write(to: try OutputFolder(creating: scratch))
  #expect(url.lastPathComponent == "metrics.json")
  #expect(try contents(of: scratch) == ["metrics.json"])

  let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
  let json = try #require(parsed as? [String: Any])
  #expect(
    Set(json.keys) == [
      "chapter", "seed", "kernels", "threads", "cpu", "epochs", "batch_size",
      "seconds_per_epoch", "seconds_per_epoch_median", "peak_memory_mib", "wall_seconds",
      "results",
    ])
  #expect(json["chapter"] as? String == "vanilla")
  #expect((json["seed"] as? NSNumber)?.intValue == 7)
  #expect(json["kernels"] as? String == "tiled")
  #expect((json["threads"] as? NSNumber)?.intValue == 2)
  #expect((json["epochs"] as? NSNumber)?.intValue == 3)
  #expect((json["batch_size"] as? NSNumber)?.intValue == 128)
  #expect((json["seconds_per_epoch"] as? [NSNumber])?.map(\.doubleValue) == [4.5, 4.0, 4.25])
  #expect((json["seconds_per_epoch_median"] as? NSNumber)?.doubleValue == 4.25)
  #expect((json["peak_memory_mib"] as? NSNumber)?.doubleValue == 312.5)
  #expect((json["wall_seconds"] as? NSNumber)?.doubleValue == 15.125)
  let cpu = try #require(json["cpu"] as? [String: Any])
  #expect(cpu["isa"] as? String == "avx2+fma" && cpu["tile"] as? String == "6x16")

  let results = try #require(json["results"] as? [String: Any])
  #expect((results["train_mse_per_pixel"] as? NSNumber)?.doubleValue == 0.1234567890123)
  let fromFloat = try #require((results["test_mse_per_pixel"] as? NSNumber)?.doubleValue)
  #expect(abs(fromFloat - 0.0213) < 1e-9)
  // The file holds every digit of the Double (JSONSerialization's parser on Linux may round the
  // last one, so the exact check reads the text).
  let text = try String(contentsOf: url, encoding: .utf8)
  #expect(text.contains("\"test_mse_per_pixel\" : \(Double(Float(0.0213)))"))
  #expect(text.contains("\"train_mse_per_pixel\" : 0.1234567890123"))
  #expect((results["diverged"] as? Bool) == false)
  #expect(results["unknown"] is NSNull)  // JSON has no NaN
  let pca = try #require(results["pca"] as? [String: Any])
  #expect((pca["components"] as? NSNumber)?.intValue == 32)
  #expect((pca["test_mse_per_pixel"] as? NSNumber)?.doubleValue == 0.0251)
}

@Test func metricsJSONIsPrettyWithSortedKeys() throws {
  let text = try #require(String(data: sampleMetrics().jsonData(), encoding: .utf8))
  #expect(text.hasSuffix("}\n"))
  #expect(text.contains("\n  \"batch_size\" : 128"))
  let order = ["batch_size", "chapter", "epochs", "kernels", "peak_memory_mib", "results"]
  let positions = order.map { text.range(of: "\"\($0)\"")!.lowerBound }
  #expect(positions == positions.sorted())
}

@Test func unknownValuesAreNull() throws {
  var metrics = sampleMetrics()
  metrics.peakMemoryMiB = nil
  metrics.secondsPerEpoch = []
  let json = try #require(
    try JSONSerialization.jsonObject(with: metrics.jsonData()) as? [String: Any])
  #expect(json["peak_memory_mib"] is NSNull)
  #expect(json["seconds_per_epoch_median"] is NSNull)
  #expect((json["seconds_per_epoch"] as? [Any])?.isEmpty == true)
}

@Test func metricsTableIsAlignedAndRounded() throws {
  let lines = sampleMetrics().table().split(separator: "\n").map(String.init)
  let rows = Dictionary(
    uniqueKeysWithValues: lines.map { line -> (String, String) in
      let key = String(line.prefix { $0 != " " })
      return (key, line.dropFirst(key.count).trimmingCharacters(in: .whitespaces))
    })
  #expect(rows["chapter"] == "vanilla")
  #expect(rows["seconds_per_epoch_median"] == "4.25")
  #expect(rows["seconds_per_epoch"] == "4.5, 4, 4.25")
  #expect(rows["test_mse_per_pixel"] == "0.0213")  // the Float's conversion noise is rounded off
  #expect(rows["train_mse_per_pixel"] == "0.1235")
  #expect(rows["pca.components"] == "32")
  #expect(rows["pca.test_mse_per_pixel"] == "0.0251")
  #expect(rows["unknown"] == "nan")  // null in JSON, which has no NaN
  // Every value starts in the same column.
  let valueColumns = Set(
    lines.map { line in
      let key = line.prefix { $0 != " " }
      return key.count + line.dropFirst(key.count).prefix { $0 == " " }.count
    })
  #expect(valueColumns.count == 1)
}

@Test func metricsTakeTheRunSettingsFromTheOptions() throws {
  let options = try ChapterOptions.parse([
    "--kernels", "naive", "--seed", "9", "--batch-size", "32",
  ])
  var metrics = MetricsFile(chapter: "denoising", options: options, epochs: 4)
  #expect(metrics.chapter == "denoising")
  #expect(metrics.seed == 9 && metrics.kernels == "naive" && metrics.threads == 1)
  #expect(metrics.epochs == 4 && metrics.batchSize == 32)
  metrics.finish(wallClock: Stopwatch(), epochSeconds: [3, 1, 2])
  #expect(metrics.medianSecondsPerEpoch == 2)
  #expect(metrics.wallSeconds >= 0)
  #if os(Linux)
    #expect((metrics.peakMemoryMiB ?? 0) > 0)
  #endif
}
