import Autodiff
import TensorCore

/// Scales all gradients down together so that their joint L2 norm is at most `maxNorm`
/// (Pascanu et al. 2013); the direction of the update is kept. Returns the norm before clipping,
/// which is worth logging: a spike means the model hit a cliff in the loss surface.
@discardableResult
public func clipGradientNorm(_ parameters: [Variable], maxNorm: Float) -> Float {
  var sumOfSquares = 0.0
  for p in parameters {
    guard let g = p.grad else { continue }
    sumOfSquares += g.sumOfSquares()
  }
  let norm = Float(sumOfSquares.squareRoot())
  if norm > maxNorm && norm > 0 {
    let scale = maxNorm / norm
    for p in parameters { p.grad = p.grad.map { $0 * scale } }
  }
  return norm
}
