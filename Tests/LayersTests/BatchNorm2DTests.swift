import Autodiff
import Foundation
import TensorCore
import Testing

@testable import Layers

private func close(_ a: [Float], _ b: [Float], _ tolerance: Float) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

/// The values of channel c of an NCHW tensor, in Double.
private func channel(_ t: Tensor, _ c: Int) -> [Double] {
  let (batch, channels, plane) = (t.shape[0], t.shape[1], t.shape[2] * t.shape[3])
  return (0..<batch).flatMap { n in
    (0..<plane).map { Double(t.scalars[(n * channels + c) * plane + $0]) }
  }
}

private func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
private func biasedVariance(_ v: [Double]) -> Double {
  let mu = mean(v)
  return v.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(v.count)
}

/// A (2, 2, 1, 2) batch small enough to do by hand. Channel 0 holds 1, 3, 5, 7: mean 4, biased
/// variance (9 + 1 + 1 + 9)/4 = 5, unbiased 20/3. Channel 1 holds 0, 2, 4, 10: mean 4, biased
/// variance (16 + 4 + 0 + 36)/4 = 14, unbiased 56/3.
private let handBatch = Tensor(shape: [2, 2, 1, 2], scalars: [1, 3, 0, 2, 5, 7, 4, 10])

/// The shapes for the gradient checks: the brief's (3, 2, 4, 5); one image (statistics over its
/// pixels only); 1x1 images (BatchNorm1d's case); a single channel.
private let gradientShapes: [[Int]] = [[3, 2, 4, 5], [1, 2, 3, 3], [4, 3, 1, 1], [2, 1, 1, 7]]

@Suite("BatchNorm2D: statistics, running averages, gradients")
struct BatchNorm2DTests {
  @Test func startsAsPyTorchDoes() {
    let bn = BatchNorm2D(3)
    #expect(bn.channels == 3 && bn.epsilon == 1e-5 && bn.momentum == 0.1)
    #expect(bn.gamma.value.scalars == [1, 1, 1] && bn.beta.value.scalars == [0, 0, 0])
    #expect(bn.gamma.requiresGrad && bn.beta.requiresGrad)
    #expect(bn.runningMean.scalars == [0, 0, 0] && bn.runningVariance.scalars == [1, 1, 1])
    #expect(bn.namedParameters.map(\.name) == ["weight", "bias"])
    #expect(bn.parameterCount == 6)
    // In a Sequential, named by position as PyTorch does.
    let model = Sequential([BatchNorm2D(3), Flatten()])
    #expect(model.namedParameters.map(\.name) == ["0.weight", "0.bias"])
    // Its running statistics are buffers, which checkpoints keep, named as in PyTorch.
    #expect(bn.namedBuffers.map(\.name) == ["running_mean", "running_var"])
    #expect(model.namedBuffers.map(\.name) == ["0.running_mean", "0.running_var"])
    let autoencoder = Autoencoder(
      encoder: Sequential([Flatten()]), decoder: Sequential([Unflatten(3, 1, 1), BatchNorm2D(3)]))
    #expect(
      autoencoder.namedBuffers.map(\.name) == ["decoder.1.running_mean", "decoder.1.running_var"])
    #expect(Sequential([Flatten()]).namedBuffers.isEmpty)
  }

  @Test func trainingOutputHasMeanZeroAndVarianceOnePerChannel() {
    // Channels with different offsets and spreads: x = scale_c · u + offset_c.
    let (scales, offsets): ([Float], [Float]) = ([0.5, 3, 10], [-2, 0, 40])
    var x = random([4, 3, 5, 6], seed: 11)
    for i in 0..<x.count {
      let c = (i / 30) % 3
      x.scalars[i] = x.scalars[i] * scales[c] + offsets[c]
    }
    let y = BatchNorm2D(3)(Variable(x)).value
    #expect(y.shape == x.shape)
    for c in 0..<3 {
      let v = channel(y, c)
      // The variance is σ²/(σ² + ε), not exactly 1: 1 − 1.2e-4 for channel 0 (σ² = 0.25/3).
      let sigma2 = biasedVariance(channel(x, c))
      #expect(Swift.abs(mean(v)) < 1e-5, "channel \(c): mean \(mean(v))")
      #expect(Swift.abs(biasedVariance(v) - 1) < 2e-4, "channel \(c): \(biasedVariance(v))")
      #expect(
        Swift.abs(biasedVariance(v) - sigma2 / (sigma2 + 1e-5)) < 2e-6,
        "channel \(c): \(biasedVariance(v))")
    }
  }

  @Test func trainingOutputOfTheHandBatch() {
    let bn = BatchNorm2D(2)
    bn.gamma.value = Tensor(shape: [2], scalars: [2, 0.5])
    bn.beta.value = Tensor(shape: [2], scalars: [1, -1])
    let y = bn(Variable(handBatch)).value
    // γ (x − μ)/√(σ² + ε) + β with the biased variances 5 and 14.
    let s0 = 1 / (5 + 1e-5).squareRoot()
    let s1 = 1 / (14 + 1e-5).squareRoot()
    let expected: [Double] = [
      2 * (1 - 4) * s0 + 1, 2 * (3 - 4) * s0 + 1, 0.5 * (0 - 4) * s1 - 1, 0.5 * (2 - 4) * s1 - 1,
      2 * (5 - 4) * s0 + 1, 2 * (7 - 4) * s0 + 1, 0.5 * (4 - 4) * s1 - 1, 0.5 * (10 - 4) * s1 - 1,
    ]
    #expect(close(y.scalars, expected.map { Float($0) }, 1e-6), "\(y)")
  }

  @Test func runningStatisticsMoveTenPercentWithTheUnbiasedVariance() {
    let bn = BatchNorm2D(2)
    _ = bn(Variable(handBatch))
    // 0.9 · 0 + 0.1 · 4, and 0.9 · 1 + 0.1 · (20/3, 56/3): the unbiased variances.
    #expect(close(bn.runningMean.scalars, [0.4, 0.4], 1e-7), "\(bn.runningMean)")
    #expect(
      close(bn.runningVariance.scalars, [Float(0.9 + 2.0 / 3), Float(0.9 + 5.6 / 3)], 1e-6),
      "\(bn.runningVariance)")
    // A second step with the same batch: 0.9 · 0.4 + 0.4 = 0.76, and so on.
    _ = bn(Variable(handBatch))
    #expect(close(bn.runningMean.scalars, [0.76, 0.76], 1e-6), "\(bn.runningMean)")
    let v0 = 0.9 * (0.9 + 2.0 / 3) + 2.0 / 3
    let v1 = 0.9 * (0.9 + 5.6 / 3) + 5.6 / 3
    #expect(close(bn.runningVariance.scalars, [Float(v0), Float(v1)], 1e-6))
  }

  @Test func runningStatisticsOfARandomBatchMatchADoubleComputation() {
    let x = random([5, 3, 4, 2], seed: 12, low: -1, high: 4)
    let bn = BatchNorm2D(3, momentum: 0.25)
    _ = bn(Variable(x))
    for c in 0..<3 {
      let v = channel(x, c)
      let unbiased = biasedVariance(v) * Double(v.count) / Double(v.count - 1)
      #expect(Swift.abs(Double(bn.runningMean.scalars[c]) - 0.25 * mean(v)) < 1e-6)
      #expect(Swift.abs(Double(bn.runningVariance.scalars[c]) - (0.75 + 0.25 * unbiased)) < 1e-6)
    }
  }

  @Test func evaluationUsesTheRunningStatistics() {
    let bn = BatchNorm2D(2)
    _ = bn(Variable(handBatch))  // running mean (0.4, 0.4), variance (0.9 + 2/3, 0.9 + 5.6/3)
    bn.gamma.value = Tensor(shape: [2], scalars: [2, 0.5])
    bn.beta.value = Tensor(shape: [2], scalars: [1, -1])
    let (mean, variance) = (bn.runningMean, bn.runningVariance)
    let x = Tensor(shape: [1, 2, 1, 2], scalars: [0.4, 2.4, -1, 3])
    let y = LayerMode.$isTraining.withValue(false) { bn(Variable(x)).value }
    let s0 = 1 / (0.9 + 2.0 / 3 + 1e-5).squareRoot()
    let s1 = 1 / (0.9 + 5.6 / 3 + 1e-5).squareRoot()
    let expected: [Double] = [
      2 * (0.4 - 0.4) * s0 + 1, 2 * (2.4 - 0.4) * s0 + 1,
      0.5 * (-1 - 0.4) * s1 - 1, 0.5 * (3 - 0.4) * s1 - 1,
    ]
    #expect(close(y.scalars, expected.map { Float($0) }, 1e-6), "\(y)")
    // Evaluation leaves the running statistics alone, and so does inference { … }.
    _ = inference { bn(Variable(handBatch)) }
    #expect(bn.runningMean == mean && bn.runningVariance == variance)
  }

  @Test func evaluationTreatsEachImageOnItsOwn() {
    // In evaluation an image's output does not depend on the rest of the batch; in training it
    // does.
    let bn = BatchNorm2D(3)
    _ = bn(Variable(random([8, 3, 4, 4], seed: 13, low: -2, high: 2)))
    let batch = random([4, 3, 4, 4], seed: 14)
    let first = Tensor(shape: [1, 3, 4, 4], scalars: Array(batch.scalars[0..<48]))
    inference {
      #expect(Array(bn(Variable(batch)).value.scalars[0..<48]) == bn(Variable(first)).value.scalars)
    }
    let together = Array(bn(Variable(batch)).value.scalars[0..<48])
    #expect(together != bn(Variable(first)).value.scalars)
  }

  @Test func trainingWithoutGradientsStillUpdatesTheRunningStatistics() {
    // As in PyTorch: torch.no_grad() alone does not stop the update; model.eval() does.
    let bn = BatchNorm2D(2)
    _ = withoutGradients { bn(Variable(handBatch)) }
    #expect(close(bn.runningMean.scalars, [0.4, 0.4], 1e-7))
  }

  @Test func loadRunningStatisticsReplacesThem() {
    let bn = BatchNorm2D(2)
    bn.loadRunningStatistics(
      mean: Tensor(shape: [2], scalars: [1, 2]), variance: Tensor(shape: [2], scalars: [4, 9]))
    let y = inference { bn(Variable(Tensor(shape: [1, 2, 1, 1], scalars: [3, 2]))).value }
    #expect(close(y.scalars, [Float(2 / (4 + 1e-5).squareRoot()), 0], 1e-6), "\(y)")
  }

  // MARK: Gradients

  @Test func thePlainSumHasZeroInputGradient() {
    // Over a channel Σy = m·β + γ·Σx̂ = m·β: no x in it. Why the checks below weight the output.
    let x = Variable(random([3, 2, 4, 5], seed: 21, low: -2, high: 2), requiresGrad: true)
    let bn = BatchNorm2D(2)
    bn(x).sum().backward()
    #expect(x.grad!.scalars.allSatisfy { Swift.abs($0) < 1e-5 }, "\(x.grad!)")
    #expect(close(bn.beta.grad!.scalars, [60, 60], 1e-4))  // ∂/∂β = m = 3·4·5
    #expect(close(bn.gamma.grad!.scalars, [0, 0], 1e-4))  // Σx̂ = 0
  }

  @Test func theModulesOwnParametersGetGradients() {
    let bn = BatchNorm2D(2)
    let x = Variable(random([3, 2, 2, 2], seed: 22), requiresGrad: true)
    (bn(x) * Variable(random([3, 2, 2, 2], seed: 23))).sum().backward()
    #expect(bn.gamma.grad?.shape == [2] && bn.beta.grad?.shape == [2] && x.grad?.shape == x.shape)
  }

  @Test(arguments: gradientShapes) func trainingGradients(shape: [Int]) {
    // ε = 1e-2: with the default 1e-3 the Float rounding of f (120 outputs, each a few ulps off)
    // divided by 2ε reaches 2e-3 for the largest shape, while the analytic gradient agrees with a
    // Double computation to 1e-6 (the next test). The central difference's own error at 1e-2 is
    // below 1e-6 here.
    let channels = shape[1]
    let x = random(shape, seed: 31, low: -2, high: 2)
    let gamma = random([channels], seed: 32, low: 0.5, high: 1.5)
    let beta = random([channels], seed: 33, low: -0.5, high: 0.5)
    let weights = Variable(random(shape, seed: 34))
    let r = checkGradients(at: [x, gamma, beta], epsilon: 1e-2) { v in
      (BatchNorm2D(gamma: v[1], beta: v[2])(v[0]) * weights).sum()
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test func trainingInputGradientMatchesADoubleComputation() {
    // f = Σ w · BN(x) evaluated entirely in Double, differentiated by central differences
    // (ε = 1e-4, no Float rounding to fight): the closed-form backward agrees to Float precision.
    let shape = [3, 2, 4, 5]
    let (channels, plane) = (2, 20)
    let x = random(shape, seed: 31, low: -2, high: 2)
    let gamma = random([channels], seed: 32, low: 0.5, high: 1.5).scalars.map(Double.init)
    let beta = random([channels], seed: 33, low: -0.5, high: 0.5).scalars.map(Double.init)
    let weights = random(shape, seed: 34)
    func f(_ x: [Double]) -> Double {
      var total = 0.0
      for c in 0..<channels {
        let indices = (0..<3).flatMap { n in (0..<plane).map { (n * channels + c) * plane + $0 } }
        let values = indices.map { x[$0] }
        let (mu, variance) = (mean(values), biasedVariance(values))
        for i in indices {
          let y = gamma[c] * (x[i] - mu) / (variance + 1e-5).squareRoot() + beta[c]
          total += Double(weights.scalars[i]) * y
        }
      }
      return total
    }
    let v = Variable(x, requiresGrad: true)
    let bn = BatchNorm2D(
      gamma: Variable(Tensor(shape: [2], scalars: gamma.map { Float($0) })),
      beta: Variable(Tensor(shape: [2], scalars: beta.map { Float($0) })))
    (bn(v) * Variable(weights)).sum().backward()
    let point = x.scalars.map(Double.init)
    var worst = 0.0
    for j in 0..<x.count {
      var (plus, minus) = (point, point)
      plus[j] += 1e-4
      minus[j] -= 1e-4
      let numerical = (f(plus) - f(minus)) / 2e-4
      worst = Swift.max(worst, Swift.abs(numerical - Double(v.grad!.scalars[j])))
    }
    #expect(worst < 1e-5, "largest difference \(worst)")
  }

  @Test(arguments: gradientShapes) func evaluationGradients(shape: [Int]) {
    let channels = shape[1]
    let x = random(shape, seed: 41, low: -2, high: 2)
    let gamma = random([channels], seed: 42, low: 0.5, high: 1.5)
    let beta = random([channels], seed: 43, low: -0.5, high: 0.5)
    let mean = random([channels], seed: 44, low: -0.5, high: 0.5)
    let variance = random([channels], seed: 45, low: 0.5, high: 2)
    let weights = Variable(random(shape, seed: 46))
    let r = LayerMode.$isTraining.withValue(false) {
      checkGradients(at: [x, gamma, beta]) { v in
        let bn = BatchNorm2D(gamma: v[1], beta: v[2])
        bn.loadRunningStatistics(mean: mean, variance: variance)
        return (bn(v[0]) * weights).sum()
      }
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test func gradientsWithoutAnInputGradient() {
    // x a constant (data): only γ and β get gradients, and the backward skips dx.
    let bn = BatchNorm2D(2)
    let x = Variable(random([2, 2, 3, 3], seed: 51))
    (bn(x) * Variable(random([2, 2, 3, 3], seed: 52))).sum().backward()
    #expect(x.grad == nil && bn.gamma.grad != nil && bn.beta.grad != nil)
  }

  // MARK: Odd shapes

  @Test func oneValuePerChannelGivesBetaAndNoNaN() {
    // N·H·W = 1: the batch variance is 0, x̂ = 0, so y = β whatever x is; ∂x = ∂γ = 0, ∂β = dy.
    // The running mean moves as usual; the running variance (0/0 unbiased) stays where it was.
    let bn = BatchNorm2D(3)
    bn.beta.value = Tensor(shape: [3], scalars: [0.5, -1, 2])
    let x = Variable(Tensor(shape: [1, 3, 1, 1], scalars: [7, -3, 0.25]), requiresGrad: true)
    let y = bn(x)
    #expect(y.value.scalars == [0.5, -1, 2])
    (y * Variable(Tensor(shape: [1, 3, 1, 1], scalars: [2, 3, 4]))).sum().backward()
    #expect(x.grad!.scalars == [0, 0, 0])
    #expect(bn.gamma.grad!.scalars == [0, 0, 0] && bn.beta.grad!.scalars == [2, 3, 4])
    #expect(close(bn.runningMean.scalars, [0.7, -0.3, 0.025], 1e-6), "\(bn.runningMean)")
    #expect(bn.runningVariance.scalars == [1, 1, 1])
    // In evaluation the same input is an ordinary affine map of x.
    let z = inference { bn(Variable(x.value)).value }
    #expect(z.isFinite && z.scalars != [0.5, -1, 2])
  }

  @Test func aConstantChannelGivesBetaAndNoNaN() {
    // Variance 0 over 8 values: x̂ = 0 · 1/√ε = 0, so y = β; the unbiased variance is 0 too. The
    // input gradient is not 0: moving one x_i moves it away from the mean by (1 − 1/m)δ, which
    // 1/√ε magnifies, so ∂x = γ/√ε · (dy − mean dy): finite, and large.
    let bn = BatchNorm2D(1)
    bn.beta.value = Tensor(shape: [1], scalars: [0.3])
    let x = Variable(Tensor(repeating: 5, shape: [2, 1, 2, 2]), requiresGrad: true)
    let y = bn(x)
    #expect(y.value.scalars.allSatisfy { $0 == 0.3 })
    let dy = random([2, 1, 2, 2], seed: 61)
    (y * Variable(dy)).sum().backward()
    let meanDy = dy.scalars.map(Double.init).reduce(0, +) / 8
    let expected = dy.scalars.map { Float((Double($0) - meanDy) / (1e-5).squareRoot()) }
    #expect(x.grad!.isFinite && close(x.grad!.scalars, expected, 1e-3), "\(x.grad!)")
    #expect(
      close(bn.runningMean.scalars, [0.5], 1e-7) && close(bn.runningVariance.scalars, [0.9], 1e-7))
  }

  @Test func anEmptyBatchIsFineInEvaluation() {
    let y = inference { BatchNorm2D(2)(Variable(Tensor(zeros: [0, 2, 3, 3]))).value }
    #expect(y.shape == [0, 2, 3, 3])
  }

  // MARK: Errors

  @Test func inputOfTheWrongRankStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = BatchNorm2D(3)(Variable(Tensor(zeros: [8, 3, 16])))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(
      message.contains("[8, 3, 16]") && message.contains("(batch, channels, height, width)"),
      "\(message)")
  }

  @Test func inputWithTheWrongChannelCountStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = BatchNorm2D(3)(Variable(Tensor(zeros: [8, 4, 5, 5])))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("[8, 4, 5, 5] has 4 channels, expected 3"), "\(message)")
  }

  @Test func anEmptyBatchInTrainingStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = BatchNorm2D(2)(Variable(Tensor(zeros: [0, 2, 3, 3])))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("[0, 2, 3, 3] has no values"), "\(message)")
  }
}
