import Autodiff
import Foundation
import TensorCore

/// A convolutional layer, PyTorch's Conv2d: (N, C_in, H, W) → (N, C_out, OH, OW) with
/// OH = ⌊(H + 2·padding − kernel) / stride⌋ + 1. One small kernel (C_out × C_in × k × k weights)
/// slides over the whole image: the same weights at every position (weight sharing), which is
/// why a conv layer has far fewer parameters than a Linear layer of the same input and output.
public struct Conv2D: Module {
  public let weight: Variable
  public let bias: Variable
  public let stride: Int
  public let padding: Int

  /// He initialisation, N(0, 2 / fanIn) with fanIn = inChannels · kernel²: the number of inputs
  /// each output sums, as for a Linear layer followed by a ReLU.
  public init(
    _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
    rng: inout RandomGenerator
  ) {
    check(
      inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
      "Conv2D: bad sizes \(inChannels) → \(outChannels), kernel \(kernel), stride \(stride),"
        + " padding \(padding)")
    let fanIn = Float(inChannels * kernel * kernel)
    weight = Variable(
      Tensor.normal(
        [outChannels, inChannels, kernel, kernel], std: (2 / fanIn).squareRoot(), using: &rng),
      requiresGrad: true, name: "weight")
    bias = Variable(Tensor(zeros: [outChannels]), requiresGrad: true, name: "bias")
    self.stride = stride
    self.padding = padding
  }

  public var kernel: Int { weight.shape[2] }

  public func callAsFunction(_ x: Variable) -> Variable {
    Variable.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
  }

  public var namedParameters: [(name: String, variable: Variable)] {
    [("weight", weight), ("bias", bias)]
  }
}

/// A transposed convolutional layer, PyTorch's ConvTranspose2d: (N, C_in, H, W) →
/// (N, C_out, (H − 1)·stride − 2·padding + kernel + outputPadding, …): the decoder's way back up
/// to the image's size. Weights are (C_in, C_out, k, k), as in PyTorch.
public struct ConvTranspose2D: Module {
  public let weight: Variable
  public let bias: Variable
  public let stride: Int
  public let padding: Int
  public let outputPadding: Int

  /// He initialisation with fanIn = inChannels · kernel² / stride²: each output pixel sums about
  /// that many inputs (the kernel's taps land on a stride-spaced grid of the input).
  public init(
    _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
    outputPadding: Int = 0, rng: inout RandomGenerator
  ) {
    check(
      inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0
        && outputPadding >= 0 && outputPadding < stride,
      "ConvTranspose2D: bad sizes \(inChannels) → \(outChannels), kernel \(kernel), stride"
        + " \(stride), padding \(padding), output padding \(outputPadding)")
    let fanIn = max(1, Float(inChannels * kernel * kernel) / Float(stride * stride))
    weight = Variable(
      Tensor.normal(
        [inChannels, outChannels, kernel, kernel], std: (2 / fanIn).squareRoot(), using: &rng),
      requiresGrad: true, name: "weight")
    bias = Variable(Tensor(zeros: [outChannels]), requiresGrad: true, name: "bias")
    self.stride = stride
    self.padding = padding
    self.outputPadding = outputPadding
  }

  public func callAsFunction(_ x: Variable) -> Variable {
    Variable.convTranspose2d(
      x, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding)
  }

  public var namedParameters: [(name: String, variable: Variable)] {
    [("weight", weight), ("bias", bias)]
  }
}
