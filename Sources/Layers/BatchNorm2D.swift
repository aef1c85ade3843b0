import Autodiff
import TensorCore

/// Batch normalisation for images (Ioffe & Szegedy 2015), as PyTorch's `nn.BatchNorm2d`.
///
/// The input is NCHW: (batch, channels, height, width). Each channel c is normalised with one mean
/// and one variance taken over everything that channel holds in the batch, the N·H·W numbers of
/// all images and all pixels, and then gets its own scale γ_c and shift β_c back:
///
///     μ_c = mean of x over (n, h, w)           σ²_c = mean of (x − μ_c)² over (n, h, w)
///     x̂ = (x − μ_c) / √(σ²_c + ε)              y = γ_c · x̂ + β_c
///
/// With γ = 1 and β = 0 (the initial values) every channel of the output has mean 0 and variance
/// (almost exactly) 1; training may move γ and β anywhere, so the layer can undo the normalisation
/// if that is what the loss wants. What it cannot undo is that the next layer's input no longer
/// drifts in scale while the layers before it learn.
///
/// **Training and evaluation.** In training (`LayerMode.isTraining`) the statistics are the
/// batch's, and the layer keeps running averages of them,
///
///     running ← (1 − momentum) · running + momentum · batch statistic     (momentum 0.1),
///
/// using the *unbiased* variance σ²·m/(m − 1), m = N·H·W, for the running variance (the biased one
/// is used for normalising), exactly as PyTorch. In evaluation (`inference { … }`) the running
/// statistics are used instead, so each image's output no longer depends on the rest of the batch
/// and the layer is a fixed affine map per channel, y = γ_c (x − μ_c) / √(σ²_c + ε) + β_c.
/// The running statistics are updated by every training-mode forward pass, with or without
/// gradients (as in PyTorch, where `torch.no_grad()` alone does not stop the update).
///
/// **A single value per channel.** When N·H·W = 1 (one 1x1 image) the batch variance is 0 and
/// x̂ = 0, so the output is β whatever the input, and the gradient with respect to x and γ is 0:
/// finite, but nothing is learned through the layer. PyTorch refuses this case with an error; here
/// it runs, updates the running mean, and leaves the running variance unchanged, since the unbiased
/// variance of a single value, 0/0, is undefined. A constant channel of several values also gives
/// y = β, but its input gradient is γ/√ε · (dy − mean dy), which is the true derivative (ε is what
/// keeps it finite) and large: about 316·γ.
public final class BatchNorm2D: BufferedModule {
  /// How many channels the input must have.
  public let channels: Int
  /// ε, added to the variance before the square root: keeps a constant channel finite.
  public let epsilon: Float
  /// How far each training step moves the running statistics towards the batch's.
  public let momentum: Float
  /// γ, the per-channel scale, shape (channels), initially 1 ("weight" in a checkpoint).
  public let gamma: Variable
  /// β, the per-channel shift, shape (channels), initially 0 ("bias" in a checkpoint).
  public let beta: Variable
  /// The running mean per channel, initially 0: state, not a parameter (no gradient). A
  /// `Buffer`, so checkpoints keep it ("running_mean", as in PyTorch).
  public let runningMeanBuffer: Buffer
  /// The running (unbiased) variance per channel, initially 1 ("running_var").
  public let runningVarianceBuffer: Buffer
  public var runningMean: Tensor { runningMeanBuffer.value }
  public var runningVariance: Tensor { runningVarianceBuffer.value }

  /// A batch-norm layer for `channels` channels, with γ = 1, β = 0, running mean 0, variance 1.
  public convenience init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
    check(channels > 0, "BatchNorm2D: the channel count must be positive, got \(channels)")
    self.init(
      gamma: Variable(Tensor(repeating: 1, shape: [channels]), requiresGrad: true, name: "weight"),
      beta: Variable(Tensor(zeros: [channels]), requiresGrad: true, name: "bias"),
      epsilon: epsilon, momentum: momentum)
  }

  /// A layer around given γ and β variables (the tests pass the gradient checker's variables).
  init(gamma: Variable, beta: Variable, epsilon: Float = 1e-5, momentum: Float = 0.1) {
    check(
      gamma.shape.count == 1 && gamma.shape == beta.shape,
      "BatchNorm2D: γ \(gamma.shape) and β \(beta.shape) should both have shape (channels)")
    check(epsilon > 0, "BatchNorm2D: epsilon must be positive, got \(epsilon)")
    check(
      momentum >= 0 && momentum <= 1, "BatchNorm2D: momentum must be in [0, 1], got \(momentum)")
    self.channels = gamma.shape[0]
    self.epsilon = epsilon
    self.momentum = momentum
    self.gamma = gamma
    self.beta = beta
    self.runningMeanBuffer = Buffer(Tensor(zeros: [channels]))
    self.runningVarianceBuffer = Buffer(Tensor(repeating: 1, shape: [channels]))
  }

  /// Replaces the running statistics (checkpoints do it through `namedBuffers`). Both must have
  /// shape (channels); the variances must be ≥ 0.
  public func loadRunningStatistics(mean: Tensor, variance: Tensor) {
    check(
      mean.shape == [channels] && variance.shape == [channels],
      "BatchNorm2D(\(channels)): running mean \(mean.shape) and variance \(variance.shape)"
        + " should both have shape [\(channels)]")
    check(
      variance.scalars.allSatisfy { $0 >= 0 },
      "BatchNorm2D(\(channels)): a running variance is negative")
    runningMeanBuffer.value = mean
    runningVarianceBuffer.value = variance
  }

  /// Normalises x, (batch, channels, height, width), with the batch's statistics in training and
  /// the running ones in evaluation. One graph op, "batchnorm2d", whose backward is written out
  /// below rather than assembled from a dozen elementwise ops.
  public func callAsFunction(_ x: Variable) -> Variable {
    check(
      x.shape.count == 4,
      "BatchNorm2D(\(channels)): input shape \(x.shape) should be (batch, channels, height, width)"
        + " with channels = \(channels)")
    check(
      x.shape[1] == channels,
      "BatchNorm2D(\(channels)): input shape \(x.shape) has \(x.shape[1]) channels, expected"
        + " \(channels)")
    let training = LayerMode.isTraining
    let statistics: (mean: [Float], inverseStd: [Float])
    if training {
      check(
        x.shape[0] * x.shape[2] * x.shape[3] > 0,
        "BatchNorm2D(\(channels)): input shape \(x.shape) has no values to take batch statistics"
          + " of")
      statistics = batchStatistics(x.value)
    } else {
      statistics = (
        runningMean.scalars,
        runningVariance.scalars.map { 1 / ($0 + epsilon).squareRoot() }
      )
    }
    return Self.normalize(
      x, gamma: gamma, beta: beta, mean: statistics.mean, inverseStd: statistics.inverseStd,
      statisticsDependOnX: training)
  }

  public var namedParameters: [(name: String, variable: Variable)] {
    [("weight", gamma), ("bias", beta)]
  }

  public var ownNamedBuffers: [(name: String, buffer: Buffer)] {
    [("running_mean", runningMeanBuffer), ("running_var", runningVarianceBuffer)]
  }

  /// The batch's mean and 1/√(σ² + ε) per channel, sums in Double; also moves the running
  /// statistics one step towards them.
  private func batchStatistics(_ x: Tensor) -> (mean: [Float], inverseStd: [Float]) {
    let (batch, plane) = (x.shape[0], x.shape[2] * x.shape[3])
    let m = batch * plane
    var mean = [Double](repeating: 0, count: channels)
    var variance = [Double](repeating: 0, count: channels)
    x.withUnsafePointer { p in
      for c in 0..<channels {
        // Two passes, mean first: Σ(x − μ)² does not lose digits the way Σx² − m·μ² does.
        var sum = 0.0
        for n in 0..<batch {
          let q = p + (n * channels + c) * plane
          for i in 0..<plane { sum += Double(q[i]) }
        }
        let mu = sum / Double(m)
        var squares = 0.0
        for n in 0..<batch {
          let q = p + (n * channels + c) * plane
          for i in 0..<plane {
            let d = Double(q[i]) - mu
            squares += d * d
          }
        }
        mean[c] = mu
        variance[c] = squares / Double(m)  // biased: the batch's own spread
      }
    }
    let momentum = Double(self.momentum)
    runningMeanBuffer.value.withUnsafeMutablePointer { r in
      for c in 0..<channels { r[c] = Float((1 - momentum) * Double(r[c]) + momentum * mean[c]) }
    }
    if m > 1 {
      let unbiased = Double(m) / Double(m - 1)
      runningVarianceBuffer.value.withUnsafeMutablePointer { r in
        for c in 0..<channels {
          r[c] = Float((1 - momentum) * Double(r[c]) + momentum * variance[c] * unbiased)
        }
      }
    }
    let eps = Double(epsilon)
    return (mean.map { Float($0) }, variance.map { Float(1 / ($0 + eps).squareRoot()) })
  }

  /// y = γ_c · (x − μ_c) · s_c + β_c with s_c = 1/√(σ²_c + ε), as one op with its backward.
  ///
  /// The backward, for one channel of m = N·H·W values with upstream gradient dy:
  ///
  ///     dβ = Σ dy          dγ = Σ dy · x̂
  ///     dx = γ s · (dy − (1/m) Σ dy − x̂ · (1/m) Σ dy · x̂)     when μ, σ² are the batch's,
  ///     dx = γ s · dy                                          when they are constants.
  ///
  /// Written as (1/m) γ s (m·dy − Σdy − x̂ Σ dy·x̂) this is the formula of the paper. Each term has
  /// a meaning: γ s · dy is the path through x̂ with μ and σ held fixed; −(1/m)Σdy is the path
  /// through μ (moving one x_i moves the mean that every x̂_j subtracts); −x̂ (1/m)Σdy·x̂ is the
  /// path through σ (moving x_i changes the spread that every x̂_j is divided by). The last two
  /// make dx orthogonal to the constant and to x̂ within the channel, which is why the plain sum of
  /// a batch-norm output has zero gradient with respect to x: over a channel it is
  /// Σy = m·β + γ·Σx̂ = m·β, whatever x is.
  static func normalize(
    _ x: Variable, gamma: Variable, beta: Variable, mean: [Float], inverseStd: [Float],
    statisticsDependOnX: Bool
  ) -> Variable {
    let shape = x.shape
    let (batch, channels, plane) = (shape[0], shape[1], shape[2] * shape[3])
    let (input, gammaValue, betaValue) = (x.value, gamma.value, beta.value)
    let output = Tensor(shape: shape) { out in
      input.withUnsafePointer { p in
        gammaValue.withUnsafePointer { g in
          betaValue.withUnsafePointer { b in
            for n in 0..<batch {
              for c in 0..<channels {
                let base = (n * channels + c) * plane
                let (mu, s, gc, bc) = (mean[c], inverseStd[c], g[c], b[c])
                for i in 0..<plane { out[base + i] = gc * ((p[base + i] - mu) * s) + bc }
              }
            }
          }
        }
      }
    }
    let needsX = x.requiresGrad
    return Variable.record(output, name: "batchnorm2d", inputs: [x, gamma, beta]) { dy in
      // Per channel: Σ dy and Σ dy·x̂ (x̂ recomputed from x, so the forward keeps nothing extra).
      var sumDy = [Double](repeating: 0, count: channels)
      var sumDyXhat = [Double](repeating: 0, count: channels)
      dy.withUnsafePointer { d in
        input.withUnsafePointer { p in
          for n in 0..<batch {
            for c in 0..<channels {
              let base = (n * channels + c) * plane
              let (mu, s) = (mean[c], inverseStd[c])
              var (sd, sdx) = (0.0, 0.0)
              for i in 0..<plane {
                let g = Double(d[base + i])
                sd += g
                sdx += g * Double((p[base + i] - mu) * s)
              }
              sumDy[c] += sd
              sumDyXhat[c] += sdx
            }
          }
        }
      }
      let dGamma = Tensor(shape: [channels], scalars: sumDyXhat.map { Float($0) })
      let dBeta = Tensor(shape: [channels], scalars: sumDy.map { Float($0) })
      guard needsX else { return [nil, dGamma, dBeta] }
      let m = Double(batch * plane)
      let meanDy = sumDy.map { statisticsDependOnX ? Float($0 / m) : 0 }
      let meanDyXhat = sumDyXhat.map { statisticsDependOnX ? Float($0 / m) : 0 }
      let dx = Tensor(shape: shape) { out in
        dy.withUnsafePointer { d in
          input.withUnsafePointer { p in
            gammaValue.withUnsafePointer { g in
              for n in 0..<batch {
                for c in 0..<channels {
                  let base = (n * channels + c) * plane
                  let (mu, s, k) = (mean[c], inverseStd[c], g[c] * inverseStd[c])
                  let (a, b) = (meanDy[c], meanDyXhat[c])
                  for i in 0..<plane {
                    let xhat = (p[base + i] - mu) * s
                    out[base + i] = k * (d[base + i] - a - xhat * b)
                  }
                }
              }
            }
          }
        }
      }
      return [dx, dGamma, dBeta]
    }
  }
}
