import Autodiff
import Foundation
import Layers

/// What a VAE minimises on a batch, built from −ELBO's two terms (`ELBOTerms`, nats per image):
///
///     loss = reconstruction + w(step) · KL                      (the ELBO when w = 1)
///     w(step) = β · min(1, step / warmUpSteps)                   (KL annealing; no warm-up: β)
///     KL → Σ_u max(KL_u, λ)  with `freeBits` λ                   (a floor per latent unit)
///
/// β > 1 is Higgins et al.'s β-VAE (ICLR 2017); the linear warm-up of the KL weight is Bowman et
/// al.'s annealing (2016); the floor is Kingma et al.'s free bits (2016). `perPixelReconstruction`
/// is the common bug, on purpose: the reconstruction averaged over the pixels instead of summed,
/// the KL left summed, which weighs the KL `pixels` times too much.
public struct VAEObjective: Sendable, CustomStringConvertible {
  public var beta: Float
  public var warmUpSteps: Int
  public var freeBits: Float?
  public var perPixelReconstruction: Bool

  public init(
    beta: Float = 1, warmUpSteps: Int = 0, freeBits: Float? = nil,
    perPixelReconstruction: Bool = false
  ) {
    self.beta = beta
    self.warmUpSteps = warmUpSteps
    self.freeBits = freeBits
    self.perPixelReconstruction = perPixelReconstruction
  }

  /// The plain ELBO: β = 1, no warm-up, no floor.
  public static let elbo = VAEObjective()

  /// The KL's weight at a training step (counted from 1).
  public func klWeight(step: Int) -> Float {
    guard warmUpSteps > 0 else { return beta }
    return beta * Swift.min(1, Float(step) / Float(warmUpSteps))
  }

  /// The loss to differentiate at `step`.
  public func loss(_ terms: ELBOTerms, step: Int, pixels: Int) -> Variable {
    let reconstruction =
      perPixelReconstruction ? terms.reconstruction * (1 / Float(pixels)) : terms.reconstruction
    let kl = freeBits.map { freeBitsKL(perUnit: terms.klPerUnit, floor: $0) } ?? terms.kl
    return reconstruction + kl * klWeight(step: step)
  }

  public var description: String {
    var parts = ["β = \(String(format: "%g", beta))"]
    if warmUpSteps > 0 { parts.append("KL warm-up over \(warmUpSteps) steps") }
    if let freeBits {
      parts.append("free bits λ = \(String(format: "%g", freeBits)) nats per unit")
    }
    if perPixelReconstruction { parts.append("reconstruction averaged over pixels (the bug)") }
    return parts.joined(separator: ", ")
  }
}
