import Kernels
import Testing

@testable import Autodiff
@testable import TensorCore

private func random(_ shape: [Int], seed: UInt64) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.uniform(shape, low: -1, high: 1, using: &rng)
}

/// Finite-difference checks of the two convolution ops, with respect to the input, the weight and
/// the bias, on both kernel sets. A fixed random weighting of the output makes the loss depend on
/// every output element differently.
@Suite("Convolution gradients")
struct ConvolutionGradientTests {
  // (input shape, out channels, kernel, stride, padding)
  static let convCases: [([Int], Int, Int, Int, Int)] = [
    ([1, 1, 1, 1], 2, 1, 1, 0),
    ([2, 2, 5, 4], 3, 3, 1, 1),
    ([3, 1, 7, 7], 2, 3, 2, 1),
    ([1, 2, 6, 6], 2, 4, 2, 2),
    ([2, 3, 7, 7], 2, 7, 1, 0),
  ]

  @Test(arguments: ["naive", "tiled"]) func conv2dGradients(kernels: String) throws {
    let set = try Kernels.named(kernels)
    for (index, (shape, out, k, stride, padding)) in Self.convCases.enumerated() {
      let seed = UInt64(10 * index)
      let x = random(shape, seed: seed)
      let w = random([out, shape[1], k, k], seed: seed + 1)
      let b = random([out], seed: seed + 2)
      let outShape = Tensor.conv2d(x, weight: w, stride: stride, padding: padding).shape
      let weighting = Variable(random(outShape, seed: seed + 3))
      let r = Kernels.$current.withValue(set) {
        checkGradients(at: [x, w, b], epsilon: 1e-2) { v in
          (Variable.conv2d(v[0], weight: v[1], bias: v[2], stride: stride, padding: padding)
            * weighting).sum()
        }
      }
      #expect(r.passes(tolerance: 1e-3), "case \(index) \(shape): \(r)")
    }
  }

  // (input shape, out channels, kernel, stride, padding, output padding)
  static let transposedCases: [([Int], Int, Int, Int, Int, Int)] = [
    ([1, 1, 1, 1], 2, 1, 1, 0, 0),
    ([2, 3, 4, 3], 2, 3, 2, 1, 1),  // the decoder's shape: 4 → 8
    ([1, 2, 1, 1], 3, 7, 1, 0, 0),  // 1x1 → 7x7, as the conv VAE's decoder starts
    ([3, 2, 3, 3], 1, 4, 2, 1, 0),
    ([1, 2, 3, 3], 2, 3, 1, 2, 0),  // padding 2: 3 → 1
  ]

  @Test(arguments: ["naive", "tiled"]) func convTranspose2dGradients(kernels: String) throws {
    let set = try Kernels.named(kernels)
    for (index, (shape, out, k, stride, padding, extra)) in Self.transposedCases.enumerated() {
      let seed = UInt64(100 + 10 * index)
      let x = random(shape, seed: seed)
      let w = random([shape[1], out, k, k], seed: seed + 1)
      let b = random([out], seed: seed + 2)
      let y = Variable.convTranspose2d(
        Variable(x), weight: Variable(w), stride: stride, padding: padding, outputPadding: extra)
      #expect(y.shape[2] == (shape[2] - 1) * stride - 2 * padding + k + extra)
      let weighting = Variable(random(y.shape, seed: seed + 3))
      let r = Kernels.$current.withValue(set) {
        checkGradients(at: [x, w, b], epsilon: 1e-2) { v in
          (Variable.convTranspose2d(
            v[0], weight: v[1], bias: v[2], stride: stride, padding: padding, outputPadding: extra)
            * weighting).sum()
        }
      }
      #expect(r.passes(tolerance: 1e-3), "case \(index) \(shape): \(r)")
    }
  }

  @Test func transposedConvolutionIsTheConvolutionsAdjoint() {
    // ⟨conv(x), y⟩ = ⟨x, convTranspose(y)⟩ for the same weight, stride and padding.
    let x = random([2, 3, 7, 7], seed: 1)
    let w = random([4, 3, 3, 3], seed: 2)  // conv: 3 → 4 channels; transposed: 4 → 3
    let conv = Tensor.conv2d(x, weight: w, stride: 2, padding: 1)
    let y = random(conv.shape, seed: 3)
    let back = Variable.convTranspose2d(Variable(y), weight: Variable(w), stride: 2, padding: 1)
      .value
    #expect(back.shape == x.shape)
    let left = zip(conv.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
    let right = zip(x.scalars, back.scalars).reduce(0.0) { $0 + Double($1.0 * $1.1) }
    #expect(Swift.abs(left - right) < 1e-4 * Swift.max(1, Swift.abs(left)))
  }

  @Test func channelSumsAndBias() {
    let x = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
    let sums: [Float] = [14, 22]  // 1 + 2 + 5 + 6, 3 + 4 + 7 + 8
    #expect(x.channelSums().scalars == sums)
    #expect(
      x.addingChannelBias(Tensor(shape: [2], scalars: [10, 20])).scalars == [
        11, 12, 23, 24, 15, 16, 27, 28,
      ])
  }
}
