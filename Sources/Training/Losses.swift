import Autodiff
import Foundation
import TensorCore

// The losses the chapters use. Each is a graph op with its gradient written next to it.

/// Mean squared error over every element: (1/N) Σ (p − t)².  ∂p = 2(p − t)/N.
/// For images this is the "MSE per pixel" the chapters report.
public func mseLoss(_ prediction: Variable, _ target: Variable) -> Variable {
  check(
    prediction.shape == target.shape,
    "mseLoss: prediction shape \(prediction.shape) differs from target shape \(target.shape)")
  let diff = prediction.value - target.value
  let n = Float(max(diff.count, 1))
  let loss = Tensor(Float(diff.sumOfSquares() / Double(n)))
  return Variable.record(loss, name: "mse", inputs: [prediction, target]) { g in
    let scaled = diff * (2 * g.scalar / n)
    // The target is data in every chapter: its gradient is made only when something asks.
    return [scaled, target.requiresGrad ? -scaled : nil]
  }
}

/// Binary cross-entropy between targets y ∈ [0, 1] and probabilities σ(z), computed from the
/// logits z without ever forming σ(z), which would round to 0 or 1 and make log blow up:
///   −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − z·y + log(1 + e^(−|z|)).
/// Mean over all elements. Gradient: ∂z = (σ(z) − y)/N; the target gets no gradient.
public func binaryCrossEntropy(logits: Variable, targets: Variable) -> Variable {
  check(
    logits.shape == targets.shape,
    "binaryCrossEntropy: logits shape \(logits.shape) differs from targets shape \(targets.shape)")
  let z = logits.value.scalars
  let y = targets.value.scalars
  var total = 0.0
  for i in 0..<z.count {
    total += Double(max(z[i], 0) - z[i] * y[i] + Foundation.log1p(Foundation.exp(-Swift.abs(z[i]))))
  }
  let n = Float(max(z.count, 1))
  let logitsValue = logits.value
  let targetsValue = targets.value
  return Variable.record(
    Tensor(Float(total / Double(n))), name: "bce", inputs: [logits, targets]
  ) { g in
    let grad = (logitsValue.applying(.sigmoid) - targetsValue) * (g.scalar / n)
    return [grad, nil]
  }
}

/// KL(N(μ, σ²) ‖ N(0, I)) for a diagonal Gaussian, summed over latent dimensions and averaged over
/// the batch (Kingma & Welling 2014, appendix B):
///   KL = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²).
/// Written with graph ops, so autodiff derives the gradient. mean and logVariance are (batch, latent).
public func gaussianKL(mean: Variable, logVariance: Variable) -> Variable {
  check(
    mean.shape == logVariance.shape && mean.shape.count == 2,
    "gaussianKL: mean \(mean.shape) and logVariance \(logVariance.shape) must both be (batch, latent)"
  )
  let batch = Float(mean.shape[0])
  let perElement = logVariance + 1 - mean.square() - logVariance.exp()
  return perElement.sum() * (-0.5 / batch)
}
