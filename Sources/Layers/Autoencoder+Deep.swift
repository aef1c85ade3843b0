import TensorCore

extension Autoencoder {
  /// Chapter 1's deep, nonlinear autoencoder, which later chapters compare themselves with:
  /// 784 → 256 → 128 → `code` with ReLU between the layers and a linear code, and the mirror
  /// image back, with a sigmoid on the output so that pixels land in [0, 1]:
  ///
  ///     encoder  Linear(784, 256) ReLU  Linear(256, 128) ReLU  Linear(128, code)
  ///     decoder  Linear(code, 128) ReLU  Linear(128, 256) ReLU  Linear(256, 784) sigmoid
  ///
  /// `widths` changes the hidden widths (the first is the image's pixel count).
  public static func deep(
    code: Int, widths: [Int] = [784, 256, 128], rng: inout RandomGenerator
  ) -> Autoencoder {
    Autoencoder(
      encoder: Sequential(mlp: widths + [code], hidden: .relu, rng: &rng),
      decoder: Sequential(
        mlp: [code] + widths.reversed(), hidden: .relu, output: .sigmoid, rng: &rng))
  }
}
