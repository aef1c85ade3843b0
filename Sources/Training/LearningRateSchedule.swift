import TensorCore
import Foundation

/// The learning rate as a function of the update step: a linear warm-up from near zero to `peak`
/// over `warmupSteps` (large early updates from random weights can throw training off), then a
/// decay to `floor` at `totalSteps`: cosine (smooth, the common choice), linear, or none.
public struct LearningRateSchedule: Sendable {
  public enum Decay: Sendable { case none, linear, cosine }

  public var peak: Float
  public var warmupSteps: Int
  public var totalSteps: Int
  public var decay: Decay
  public var floor: Float

  public init(
    peak: Float, warmupSteps: Int = 0, totalSteps: Int, decay: Decay = .cosine, floor: Float = 0
  ) {
    check(peak > 0, "LearningRateSchedule: peak must be positive, got \(peak)")
    check(totalSteps > 0, "LearningRateSchedule: totalSteps must be positive, got \(totalSteps)")
    self.peak = peak
    self.warmupSteps = max(0, warmupSteps)
    self.totalSteps = totalSteps
    self.decay = decay
    self.floor = floor
  }

  /// The rate for update number `step` (0-based).
  public func rate(at step: Int) -> Float {
    if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
    let span = max(1, totalSteps - warmupSteps)
    let progress = min(1, Float(step - warmupSteps) / Float(span))
    switch decay {
    case .none: return peak
    case .linear: return floor + (peak - floor) * (1 - progress)
    case .cosine: return floor + (peak - floor) * 0.5 * (1 + Foundation.cos(Float.pi * progress))
    }
  }
}
