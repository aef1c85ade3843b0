import Autodiff
import TensorCore

/// A variational autoencoder (Kingma & Welling 2014): the encoder gives, for each image, a
/// diagonal Gaussian q(z|x) = N(μ, diag σ²) over a `latent`-dimensional code instead of one point,
/// and the decoder gives the parameters of p(x|z): here the logits of 784 Bernoulli pixels.
///
///     encoder: x (batch, 784) → (batch, 2·latent), split into μ and log σ² (batch, latent) each
///     decoder: z (batch, latent) → logits (batch, 784); p(pixel = 1 | z) = sigmoid(logit)
///
/// The encoder predicts log σ², not σ, so that its output can be any real number.
/// The encoder and decoder are any modules of those shapes (MLPs in chapter 5, convolutions in
/// chapter 6).
public struct VariationalAutoencoder: BufferedModule {
  public var encoder: any Module
  public var decoder: any Module
  public let latent: Int

  public init(encoder: any Module, decoder: any Module, latent: Int) {
    check(latent > 0, "VariationalAutoencoder: latent size must be positive, got \(latent)")
    self.encoder = encoder
    self.decoder = decoder
    self.latent = latent
  }

  /// q(z|x): the mean μ and log-variance log σ², each (batch, latent).
  public func encode(_ x: Variable) -> (mean: Variable, logVariance: Variable) {
    let h = encoder(x)
    check(
      h.shape.count == 2 && h.shape[1] == 2 * latent,
      "VariationalAutoencoder: the encoder must output (batch, \(2 * latent)), got \(h.shape)")
    let parts = h.split(axis: 1, sizes: [latent, latent])
    return (parts[0], parts[1])
  }

  /// The reparameterisation trick: z = μ + σ ⊙ ε with σ = exp(½ log σ²) and ε ~ N(0, I) given
  /// from outside (the caller's seeded generator). z is a differentiable function of μ and log σ²,
  /// so the gradient of a loss on z reaches the encoder; the randomness sits in ε, a constant.
  public func reparameterize(mean: Variable, logVariance: Variable, noise: Tensor) -> Variable {
    check(
      noise.shape == mean.shape,
      "reparameterize: noise \(noise.shape) must have the mean's shape \(mean.shape)")
    return mean + (logVariance * 0.5).exp() * Variable(noise)
  }

  /// The decoder's Bernoulli logits for codes z: (batch, latent) → (batch, 784).
  public func decodeLogits(_ z: Variable) -> Variable { decoder(z) }

  /// The decoded image: p(pixel = 1 | z), the mean of p(x|z).
  public func decode(_ z: Variable) -> Variable { decoder(z).sigmoid() }

  /// A deterministic reconstruction, for pictures and MSE: the decoded image at z = μ.
  public func callAsFunction(_ x: Variable) -> Variable { decode(encode(x).mean) }

  /// Parameters named "encoder.0.weight", "decoder.2.bias", ...
  public var namedParameters: [(name: String, variable: Variable)] {
    encoder.namedParameters(prefix: "encoder") + decoder.namedParameters(prefix: "decoder")
  }

  /// Buffers named "encoder.1.running_mean", ... (none unless a part has some).
  public var ownNamedBuffers: [(name: String, buffer: Buffer)] {
    encoder.namedBuffers(prefix: "encoder") + decoder.namedBuffers(prefix: "decoder")
  }
}

extension VariationalAutoencoder {
  /// The MLP VAE of the well-known PyTorch example: 784 → hidden (ReLU) → (μ, log σ²) and
  /// latent → hidden (ReLU) → 784 logits. (Its two heads, μ and log σ², are one Linear layer
  /// whose output is split: the same numbers and the same parameter count as two.)
  public static func mlp(
    latent: Int, hidden: Int = 400, pixels: Int = 784, rng: inout RandomGenerator
  ) -> VariationalAutoencoder {
    VariationalAutoencoder(
      encoder: Sequential(mlp: [pixels, hidden, 2 * latent], hidden: .relu, rng: &rng),
      decoder: Sequential(mlp: [latent, hidden, pixels], hidden: .relu, rng: &rng),
      latent: latent)
  }
}
