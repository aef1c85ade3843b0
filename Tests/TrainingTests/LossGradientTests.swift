import Autodiff
import Kernels
import Testing

@testable import Layers
@testable import TensorCore
@testable import Training

@Suite("Losses: values and finite-difference gradients")
struct LossTests {
  @Test(arguments: ["naive", "tiled"]) func mseGradient(kernels: String) throws {
    let set = try Kernels.named(kernels)
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [random([4, 5], seed: 1), random([4, 5], seed: 2)]) { v in
        mseLoss(v[0], v[1])
      }
    }
    #expect(r.passes(tolerance: 1e-2), "\(r)")
  }

  @Test(arguments: ["naive", "tiled"]) func bceGradientWithRespectToLogits(kernels: String) throws {
    let set = try Kernels.named(kernels)
    let targets = random([3, 6], seed: 4, low: 0, high: 1)
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [random([3, 6], seed: 3, low: -4, high: 4)]) { v in
        binaryCrossEntropy(logits: v[0], targets: Variable(targets))
      }
    }
    #expect(r.passes(tolerance: 1e-2), "\(r)")
  }

  @Test(arguments: ["naive", "tiled"]) func klGradient(kernels: String) throws {
    let set = try Kernels.named(kernels)
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [random([3, 4], seed: 5), random([3, 4], seed: 6)]) { v in
        gaussianKL(mean: v[0], logVariance: v[1])
      }
    }
    #expect(r.passes(tolerance: 1e-2), "\(r)")
  }

  @Test func mseOfKnownValues() {
    let p = Variable(Tensor(shape: [2], scalars: [1, 3]))
    let t = Variable(Tensor(shape: [2], scalars: [0, 0]))
    #expect(mseLoss(p, t).value.scalar == 5)
  }

  @Test func bceIsStableForHugeLogits() {
    // Naively σ(100) rounds to 1 and log(1 − 1) = −∞; the logit form stays finite and exact.
    let z = Variable(Tensor(shape: [2], scalars: [100, -100]))
    let y = Variable(Tensor(shape: [2], scalars: [0, 1]))
    let loss = binaryCrossEntropy(logits: z, targets: y).value.scalar
    #expect(loss.isFinite)
    #expect(Swift.abs(loss - 100) < 1e-3)
  }

  @Test func klIsZeroForTheStandardNormal() {
    let mean = Variable(Tensor(zeros: [2, 3]))
    let logVar = Variable(Tensor(zeros: [2, 3]))
    #expect(gaussianKL(mean: mean, logVariance: logVar).value.scalar == 0)
    // One dimension with μ = 1, σ = 1: KL = ½ μ² = 0.5, averaged over a batch of 1.
    let m1 = Variable(Tensor(shape: [1, 1], scalars: [1]))
    let l1 = Variable(Tensor(shape: [1, 1], scalars: [0]))
    #expect(Swift.abs(gaussianKL(mean: m1, logVariance: l1).value.scalar - 0.5) < 1e-6)
  }
}

@Suite("Layers")
struct LayerTests {
  @Test(arguments: ["naive", "tiled"]) func linearGradients(kernels: String) throws {
    let set = try Kernels.named(kernels)
    var rng = RandomGenerator(seed: 7)
    let layer = Linear(5, 3, rng: &rng)
    let x = random([4, 5], seed: 8)
    // The layer's own weight and bias as checked inputs: y = x·Wᵀ + b.
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [x, layer.weight.value, layer.bias.value]) { v in
        let y = Variable.matmul(v[0], v[1], transposeB: true) + v[2]
        return (y.tanh() * y).sum()
      }
    }
    #expect(r.passes(tolerance: 1e-2), "\(r)")
    let y = layer(Variable(x))
    #expect(y.shape == [4, 3])
  }

  @Test func kaimingInitHasTheRightSpread() {
    var rng = RandomGenerator(seed: 9)
    let w = Linear(1000, 200, init: .kaiming, rng: &rng).weight.value.scalars
    let variance = w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)
    #expect(Swift.abs(variance - 2.0 / 1000) < 2e-4)
  }

  @Test func sequentialNamesParametersByPosition() {
    var rng = RandomGenerator(seed: 10)
    let mlp = Sequential(mlp: [4, 8, 2], rng: &rng)
    #expect(mlp.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
    #expect(mlp.parameterCount == 4 * 8 + 8 + 8 * 2 + 2)
  }

  @Test func dropoutScalesInTrainingAndIsIdentityInEvaluation() {
    var rng = RandomGenerator(seed: 11)
    let dropout = Dropout(probability: 0.5, rng: &rng)
    let x = Variable(Tensor(repeating: 1, shape: [100, 100]))
    let y = dropout(x).value.scalars
    #expect(y.allSatisfy { $0 == 0 || $0 == 2 })
    let kept = Double(y.filter { $0 == 2 }.count) / Double(y.count)
    #expect(Swift.abs(kept - 0.5) < 0.03)
    let z = inference { dropout(x) }
    #expect(z.value == x.value)
  }
}

@Suite("Optimizers, schedules, clipping")
struct OptimizerTests {
  @Test func sgdStepMatchesTheFormula() {
    let w = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
    let sgd = SGD(parameters: [w], learningRate: 0.1, momentum: 0.9)
    w.grad = Tensor(shape: [2], scalars: [1, -1])
    sgd.step()
    #expect(w.value.scalars == [0.9, 2.1])
    w.grad = Tensor(shape: [2], scalars: [1, -1])
    sgd.step()  // v = 0.9·1 + 1 = 1.9
    #expect(Swift.abs(w.value.scalars[0] - (0.9 - 0.19)) < 1e-6)
  }

  @Test func adamFirstStepMovesEachWeightByTheLearningRate() {
    // With bias correction, Adam's first step is lr·g/|g| (up to ε) whatever the gradient's size.
    let w = Variable(Tensor(shape: [3], scalars: [0, 0, 0]), requiresGrad: true)
    let adam = Adam(parameters: [w], learningRate: 0.01)
    w.grad = Tensor(shape: [3], scalars: [1000, -0.001, 5])
    adam.step()
    for (x, expected) in zip(w.value.scalars, [-0.01, 0.01, -0.01] as [Float]) {
      #expect(Swift.abs(x - expected) < 1e-4)
    }
    #expect(w.grad == nil)
  }

  @Test func adamUpdatesAParameterListedTwiceOnce() {
    // All tensors go to the kernel in one call, which cannot lend one tensor twice: a repeat is
    // skipped, as it always was.
    let w = Variable(Tensor(shape: [2], scalars: [0, 0]), requiresGrad: true)
    let b = Variable(Tensor(shape: [1], scalars: [0]), requiresGrad: true)
    let adam = Adam(parameters: [w, b, w], learningRate: 0.01)
    w.grad = Tensor(shape: [2], scalars: [3, -4])
    b.grad = Tensor(shape: [1], scalars: [2])
    adam.step()
    for (x, expected) in zip(w.value.scalars + b.value.scalars, [-0.01, 0.01, -0.01] as [Float]) {
      #expect(Swift.abs(x - expected) < 1e-4)
    }
    #expect(w.grad == nil && b.grad == nil)
  }

  @Test func adamWDecaysWeightsWithoutGradient() {
    let w = Variable(Tensor(shape: [1], scalars: [1]), requiresGrad: true)
    let adam = Adam(parameters: [w], learningRate: 0.1, weightDecay: 0.5)
    w.grad = Tensor(shape: [1], scalars: [0])
    adam.step()
    #expect(Swift.abs(w.value.scalar - 0.95) < 1e-6)
  }

  @Test func scheduleWarmsUpThenDecays() {
    let s = LearningRateSchedule(
      peak: 1, warmupSteps: 10, totalSteps: 110, decay: .cosine, floor: 0)
    #expect(Swift.abs(s.rate(at: 0) - 0.1) < 1e-6)
    #expect(s.rate(at: 9) == 1)
    #expect(Swift.abs(s.rate(at: 60) - 0.5) < 1e-5)
    #expect(s.rate(at: 110) < 1e-6)
    let linear = LearningRateSchedule(peak: 2, totalSteps: 100, decay: .linear, floor: 1)
    #expect(linear.rate(at: 50) == 1.5)
  }

  @Test func clippingScalesToTheMaximumNorm() {
    let a = Variable(Tensor(shape: [1], scalars: [0]), requiresGrad: true)
    let b = Variable(Tensor(shape: [1], scalars: [0]), requiresGrad: true)
    a.grad = Tensor(shape: [1], scalars: [3])
    b.grad = Tensor(shape: [1], scalars: [4])
    let norm = clipGradientNorm([a, b], maxNorm: 1)
    #expect(norm == 5)
    #expect(Swift.abs(a.grad!.scalar - 0.6) < 1e-6)
    #expect(Swift.abs(b.grad!.scalar - 0.8) < 1e-6)
  }

  @Test func nonFiniteLossIsAnErrorWithAHint() {
    #expect(throws: TrainingError.self) { try ensureFinite(.nan, epoch: 2, batch: 17) }
    let message = TrainingError.nonFiniteLoss(value: .infinity, epoch: 2, batch: 17).description
    #expect(message.contains("epoch 2") && message.contains("--learning-rate"))
  }
}
