/// Where one parameter tensor's Adam update reads and writes: the parameters θ, their gradient
/// g and the two moments m and v, `count` floats each (`KernelSet.adamUpdate(_:_:)`).
public struct AdamOperands {
  public let theta: UnsafeMutablePointer<Float>
  public let gradient: UnsafePointer<Float>
  public let m: UnsafeMutablePointer<Float>
  public let v: UnsafeMutablePointer<Float>
  public let count: Int

  public init(
    theta: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int
  ) {
    self.theta = theta
    self.gradient = gradient
    self.m = m
    self.v = v
    self.count = count
  }
}

extension KernelSet {
  /// One tensor after another: what the naive set does, and what any set computes.
  public func adamUpdate(_ step: AdamStep, _ tensors: [AdamOperands]) {
    for t in tensors {
      adamUpdate(step, theta: t.theta, gradient: t.gradient, m: t.m, v: t.v, count: t.count)
    }
  }
}
