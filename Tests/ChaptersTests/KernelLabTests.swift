import Foundation
import Kernels
import Testing

/// The kernel lab run as a learner runs it, with --quick (small sizes, a few seconds). Speeds are
/// never asserted: this machine's are not the next one's. What must hold anywhere: it finishes,
/// every step agrees with naive, and metrics.json has the rows the prose and plot rely on.
@Suite("Kernel lab")
struct KernelLabTests {
  private func metrics(in folder: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent("metrics.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func quickRunChecksEveryStepAndWritesItsNumbers() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("kernels")
    let result = try ChapterProcess.run(
      "kernels", ["--quick", "--no-numpy", "--no-torch", "--output", out.path], scratch: tmp.url)
    #expect(result.status == 0, "stderr: \(result.standardError)")

    let json = try metrics(in: out)
    #expect(json["chapter"] as? String == "kernels")
    #expect(json["quick"] as? Bool == true)
    let gemm = try #require(json["gemm"] as? [[String: Any]])
    #expect(!gemm.isEmpty)
    let variants = Set(gemm.compactMap { $0["variant"] as? String })
    for variant in ["naive", "loop-order", "unsafe", "blocked", "simd-1-thread", "tiled"] {
      #expect(variants.contains(variant), "no \(variant) row in \(variants.sorted())")
    }
    #expect(!variants.contains { $0.hasPrefix("numpy") }, "--no-numpy still ran NumPy")
    for row in gemm {
      let variant = row["variant"] as? String ?? "?"
      let m = try #require(row["m"] as? Int)
      let n = try #require(row["n"] as? Int)
      let k = try #require(row["k"] as? Int)
      #expect(m > 0 && n > 0 && k > 0)
      let gflops = try #require(row["gflops"] as? Double, "\(variant) has no gflops")
      #expect(gflops > 0, "\(variant) \(m)x\(n)x\(k): gflops \(gflops)")
      // Sums of k products of numbers in [-1, 1): differences are rounding, ~1e-6 · k at most.
      if let difference = row["max_abs_diff"] as? Double {
        #expect(
          difference <= 1e-6 * Double(k), "\(variant) \(m)x\(n)x\(k) differs by \(difference)")
      }
    }
    // Naive is compared with itself: exactly 0. The steps that sum in naive's order match it.
    for row in gemm
    where ["naive", "loop-order", "unsafe", "blocked"].contains(row["variant"] as? String) {
      #expect(row["max_abs_diff"] as? Double == 0, "\(row)")
    }

    let validation = try #require(json["validation"] as? [[String: Any]])
    #expect(!validation.isEmpty)
    for row in validation {
      let difference = try #require(row["max_abs_diff"] as? Double)
      #expect(difference < 1e-3, "\(row)")
    }

    let elementwise = try #require(json["elementwise"] as? [[String: Any]])
    let kernels = Set(elementwise.compactMap { $0["kernel"] as? String })
    #expect(
      kernels.isSuperset(of: ["relu", "sigmoid", "bias add", "relu backward", "column sums"]))
    for row in elementwise {
      #expect((row["gbps"] as? Double ?? 0) > 0, "\(row)")
    }
    let machine = try #require(json["machine"] as? [String: Any])
    #expect((machine["cores"] as? Int ?? 0) >= 1)

    // The CPU block: the tile it chose, and the measured peak above every tiled row.
    let cpu = try #require(json["cpu"] as? [String: Any])
    let tileNames = ["8x32", "6x16", "8x12", "6x8"]
    #expect(tileNames.contains(cpu["tile"] as? String ?? ""), "\(cpu)")
    #expect(!(cpu["isa"] as? String ?? "").isEmpty)
    let peakOne = try #require(cpu["peak_gflops_1_thread"] as? Double)
    let peakAll = try #require(cpu["peak_gflops"] as? Double)
    #expect(peakOne > 0 && peakAll > 0)
    // Measured before and after the GEMM timings; the peak is the higher of the two.
    let oneRuns = try #require(cpu["peak_gflops_1_thread_runs"] as? [Double])
    let allRuns = try #require(cpu["peak_gflops_runs"] as? [Double])
    #expect(oneRuns.count == 2 && allRuns.count == 2)
    #expect(oneRuns.max() == peakOne && allRuns.max() == peakAll)
    // The micro-kernel with its strips in L1, measured in the same turns as the peak.
    let kernelOne = try #require(cpu["kernel_in_l1_gflops_1_thread"] as? Double)
    let kernelAll = try #require(cpu["kernel_in_l1_gflops"] as? Double)
    let kernelOneRuns = try #require(cpu["kernel_in_l1_gflops_1_thread_runs"] as? [Double])
    let kernelAllRuns = try #require(cpu["kernel_in_l1_gflops_runs"] as? [Double])
    #expect(kernelOneRuns.count == 2 && kernelAllRuns.count == 2)
    #expect(kernelOneRuns.max() == kernelOne && kernelAllRuns.max() == kernelAll)
    #expect(kernelOneRuns.allSatisfy { $0 > 0 } && kernelAllRuns.allSatisfy { $0 > 0 })
    // Chapter 1's training step, its 17 multiplies as one, with both production kernel sets.
    let step = try #require(json["chapter1_step"] as? [[String: Any]])
    #expect(
      Set(step.compactMap { $0["variant"] as? String }).isSuperset(of: ["simd-1-thread", "tiled"]))
    for row in step { #expect((row["seconds"] as? Double ?? 0) > 0, "\(row)") }
    // Chapter 1's three products, the decoder's and a convolution's, timed as written and
    // turned round: the same bits both ways, and the default turns those whose weighed count
    // (the tile's turn costs) is smaller turned. Which those are depends on the tile the lab ran.
    let turned = try #require(json["turned_around"] as? [[String: Any]])
    #expect(turned.count == 5)
    for row in turned {
      #expect(row["identical_bits"] as? Bool == true, "\(row)")
      #expect(
        (row["as_written_gflops"] as? Double ?? 0) > 0
          && (row["transposed_gflops"] as? Double ?? 0) > 0)
      #expect((row["floats_copied_as_written"] as? Int ?? 0) > 0)
      let asWritten = try #require(row["weighed_cost_as_written"] as? Double)
      let transposed = try #require(row["weighed_cost_transposed"] as? Double)
      #expect(
        (row["chosen"] as? String == "transposed")
          == (transposed < asWritten && (row["m"] as? Int ?? 0) < (row["n"] as? Int ?? 0)),
        "\(row)")
    }
    let plainCosts =
      cpu["turn_cost_column_write"] as? Double == 1 && cpu["turn_cost_column_read"] as? Double == 0
    // The forward x·Wᵀ (k = 784) is turned when its 784 steps are one k-block (1024-deep blocks
    // on a 48 KB L1): turned, c is then written as columns once instead of once per block.
    let tile = try GEMMTile.named(cpu["tile"] as? String ?? "?")
    let forwardInOneBlock = GEMMBlocking(tile: tile).maxDepth >= 784
    let expected =
      (forwardInOneBlock ? ["forward y = x·Wᵀ"] : [])
      + (plainCosts
        ? ["backward dx = dy·W", "decoder y = h·Wᵀ", "conv forward w·col"]
        : ["decoder y = h·Wᵀ"])
    #expect(
      turned.filter { $0["chosen"] as? String == "transposed" }.compactMap {
        $0["shape"] as? String
      } == expected,
      "tile \(cpu["tile"] ?? "?")")
    // Every tile was timed, on one thread.
    let tiles = try #require(json["tiles"] as? [[String: Any]])
    #expect(Set(tiles.compactMap { $0["tile"] as? String }) == Set(tileNames))
    for row in tiles { #expect((row["gflops"] as? Double ?? 0) > 0, "\(row)") }

    // The convolution section: every chapter-6 shape, each of its three products, checked
    // against naive on a small batch, then timed with naive and tiled (PyTorch skipped).
    let convShapes = [
      "Conv(1→32, k3, s2, p1) on 28x28", "Conv(32→64, k3, s2, p1) on 14x14",
      "Conv(32→64, k4, s2, p1) on 14x14", "Conv(64→128, k7) on 7x7",
    ]
    let products = ["forward", "backward input", "backward weight"]
    let convolution = try #require(json["convolution"] as? [[String: Any]])
    for shape in convShapes {
      let rows = convolution.filter { $0["shape"] as? String == shape }
      #expect(
        Set(rows.compactMap { $0["product"] as? String }) == Set(products),
        "\(shape): \(rows.count) rows")
    }
    for row in convolution {
      let label = "\(row["shape"] ?? "?") \(row["product"] ?? "?")"
      #expect(row["batch"] as? Int == 8, "\(label): --quick uses a batch of 8")
      #expect((row["multiply_adds"] as? Int ?? 0) > 0, "\(label)")
      for key in ["naive_gflops", "tiled_gflops", "tiled_over_naive"] {
        let value = try #require(row[key] as? Double, "\(label) has no \(key)")
        #expect(value.isFinite && value > 0, "\(label): \(key) \(value)")
      }
      #expect(row["torch_gflops"] is NSNull, "\(label): --no-torch still ran PyTorch")
      let difference = try #require(row["max_abs_diff"] as? Double, "\(label)")
      #expect(difference.isFinite && difference < 1e-2, "\(label) differs by \(difference)")
      if row["product"] as? String == "backward input" {
        #expect(row["im2col_share"] is NSNull, "\(label)")
      } else {
        let share = try #require(row["im2col_share"] as? Double, "\(label) has no im2col share")
        #expect(share.isFinite && share > 0, "\(label): im2col share \(share)")
      }
    }
    let convValidation = try #require(json["convolution_validation"] as? [[String: Any]])
    #expect(convValidation.count >= convShapes.count * products.count)
    for row in convValidation {
      let difference = try #require(row["max_abs_diff"] as? Double)
      #expect(difference < 1e-2, "\(row)")
    }
    let torch = try #require(json["torch"] as? [String: Any])
    #expect(torch["available"] as? Bool == false)
    #expect(result.standardOutput.contains("PyTorch baseline skipped: --no-torch"))

    // What it printed: the correctness table and the GEMM table.
    #expect(result.standardOutput.contains("max |C − C_naive|"))
    #expect(result.standardOutput.contains("simd-1-thread"))
    #expect(result.standardOutput.contains("max |tiled − naive|"))
    #expect(result.standardOutput.contains("tiled/naive"))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("gemm.gp").path))
    if gnuplotInstalled {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("gemm.png").path))
    }
  }

  @Test func badFlagsAreRefusedWithAClearMessage() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let threads = try ChapterProcess.run("kernels", ["--threads", "0"], scratch: tmp.url)
    #expect(threads.status != 0)
    #expect(threads.standardError.contains("--threads"), "\(threads.standardError)")

    let unknown = try ChapterProcess.run("kernels", ["--fast"], scratch: tmp.url)
    #expect(unknown.status != 0)
    #expect(unknown.standardError.contains("--fast"), "\(unknown.standardError)")

    let tile = try ChapterProcess.run("kernels", ["--tile", "3x3"], scratch: tmp.url)
    #expect(tile.status != 0)
    #expect(tile.standardError.contains("--tile"), "\(tile.standardError)")

    let file = tmp.url.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    let blocked = try ChapterProcess.run(
      "kernels",
      ["--quick", "--no-numpy", "--no-torch", "--output", file.appendingPathComponent("out").path],
      scratch: tmp.url)
    #expect(blocked.status != 0)
    #expect(blocked.standardError.contains("a-file"), "\(blocked.standardError)")
  }
}
