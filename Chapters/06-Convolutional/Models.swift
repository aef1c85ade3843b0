import Bottleneck

// Chapter 6's models. Images arrive as (batch, 784) rows, as in every chapter; `Unflatten(1, 28,
// 28)` turns them into (batch, 1, 28, 28) for the first convolution, and `Flatten()` turns the
// decoder's (batch, 1, 28, 28) back into rows for the loss. The shapes after each layer are in
// the comments (Dumoulin & Visin's arithmetic: ⌊(28 + 2·1 − 3) / 2⌋ + 1 = 14).

/// The seed's two stride-2 convolutions, 28 → 14 → 7, with ReLUs: (N, 1, 28, 28) → (N, 64, 7, 7).
func seedConvolutions(rng: inout RandomGenerator) -> [any Module] {
  [
    Conv2D(1, 32, kernel: 3, stride: 2, padding: 1, rng: &rng), Activation.relu,  // (N, 32, 14, 14)
    Conv2D(32, 64, kernel: 3, stride: 2, padding: 1, rng: &rng), Activation.relu,  // (N, 64, 7, 7)
  ]
}

/// Their mirror image, 7 → 14 → 28 with transposed convolutions and a sigmoid:
/// (N, 64, 7, 7) → (N, 784).
func seedTransposedConvolutions(rng: inout RandomGenerator) -> [any Module] {
  [
    ConvTranspose2D(64, 32, kernel: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng),
    Activation.relu,  // (N, 32, 14, 14)
    ConvTranspose2D(32, 1, kernel: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng),
    Activation.sigmoid,  // (N, 1, 28, 28)
    Flatten(),  // (N, 784)
  ]
}

/// The seed texts' convolutional autoencoder. Its "code" is the encoder's last feature map,
/// 64 × 7 × 7 = 3,136 numbers: four times the 784 pixels it is meant to compress.
func seedConvAutoencoder(rng: inout RandomGenerator) -> Autoencoder {
  let encoder = Sequential([Unflatten(1, 28, 28)] + seedConvolutions(rng: &rng))
  return Autoencoder(encoder: encoder, decoder: Sequential(seedTransposedConvolutions(rng: &rng)))
}

/// The same convolutions with a real bottleneck: a Linear layer from the 3,136 features down to
/// `code` numbers, and one back up.
func bottleneckConvAutoencoder(code: Int, rng: inout RandomGenerator) -> Autoencoder {
  let encoder = Sequential(
    [Unflatten(1, 28, 28)] + seedConvolutions(rng: &rng) + [
      Flatten(),  // (N, 3136)
      Linear(3136, code, init: .xavier, rng: &rng),  // (N, code)
    ])
  let up: [any Module] = [
    Linear(code, 3136, rng: &rng), Activation.relu,  // (N, 3136)
    Unflatten(64, 7, 7),  // (N, 64, 7, 7)
  ]
  return Autoencoder(
    encoder: encoder, decoder: Sequential(up + seedTransposedConvolutions(rng: &rng)))
}

/// The seed's convolutional VAE with a `latent`-dimensional code: 4x4 stride-2 convolutions
/// 28 → 14 → 7, a 7x7 convolution to a 128-number vector, and a Linear layer to (μ, log σ²); the
/// decoder mirrors it with transposed convolutions 1 → 7 → 14 → 28 and gives Bernoulli logits.
func convVAE(latent: Int, rng: inout RandomGenerator) -> VariationalAutoencoder {
  VariationalAutoencoder(
    encoder: Sequential([
      Unflatten(1, 28, 28),
      Conv2D(1, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), Activation.relu,  // (N, 32, 14, 14)
      Conv2D(32, 64, kernel: 4, stride: 2, padding: 1, rng: &rng), Activation.relu,  // (N, 64, 7, 7)
      Conv2D(64, 128, kernel: 7, rng: &rng), Activation.relu,  // (N, 128, 1, 1)
      Flatten(),  // (N, 128)
      Linear(128, 2 * latent, init: .xavier, rng: &rng),  // (N, 2·latent): μ and log σ²
    ]),
    decoder: Sequential([
      Linear(latent, 128, rng: &rng), Activation.relu,  // (N, 128)
      Unflatten(128, 1, 1),  // (N, 128, 1, 1)
      ConvTranspose2D(128, 64, kernel: 7, rng: &rng), Activation.relu,  // (N, 64, 7, 7)
      ConvTranspose2D(64, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), Activation.relu,  // (N, 32, 14, 14)
      ConvTranspose2D(32, 1, kernel: 4, stride: 2, padding: 1, rng: &rng),  // (N, 1, 28, 28)
      Flatten(),  // (N, 784): logits
    ]),
    latent: latent)
}
