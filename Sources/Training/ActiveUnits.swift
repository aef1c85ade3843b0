import TensorCore

/// Which latent units a VAE uses (Burda et al. 2016, section 5.2): unit u is *active* when its
/// posterior mean moves with the image, A_u = Cov_x(E_q[z_u | x]) > threshold (0.01 in the paper).
/// An inactive unit's q(z_u|x) is the same for every image: it carries no information, its KL is
/// near 0, and the decoder ignores it (posterior collapse).
public struct ActiveUnits: Sendable {
  /// The variance over the images of each unit's posterior mean μ_u(x).
  public let variances: [Double]
  public let threshold: Double

  /// `means` is (images, latent): μ(x) for each image.
  public init(means: Tensor, threshold: Double = 0.01) {
    check(means.shape.count == 2, "ActiveUnits: means must be (images, latent), got \(means.shape)")
    let n = means.shape[0]
    check(n >= 2, "ActiveUnits: needs at least two images to measure a variance, got \(n)")
    // The sample variance, with n − 1 (the covariance's diagonal).
    variances = means.columnMoments().variance.map { $0 * Double(n) / Double(n - 1) }
    self.threshold = threshold
  }

  /// How many units are active.
  public var count: Int { variances.filter { $0 > threshold }.count }
}
