import TensorCore

extension Variable {
  /// 2-D convolution: x (N, C, H, W), weight (O, C, k, k), bias (O) → (N, O, OH, OW), with
  /// OH = ⌊(H + 2·padding − k) / stride⌋ + 1 (Kernels/ConvGeometry.swift has the formula).
  ///
  /// Backward, with G = ∂loss/∂y: ∂x is the kernel's input gradient (every product x·w sends G
  /// back to the pixel it read), ∂w its weight gradient (G against the patches of x), and ∂bias
  /// the sum of G over the batch and the pixels of each channel.
  public static func conv2d(
    _ x: Variable, weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0
  ) -> Variable {
    let y = Tensor.conv2d(
      x.value, weight: weight.value, bias: bias?.value, stride: stride, padding: padding)
    let k = weight.shape[2]
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return record(y, name: "conv2d", inputs: inputs) { g in
      let dx =
        x.requiresGrad
        ? Tensor.conv2dBackwardInput(
          g, weight: weight.value, inputShape: x.shape, stride: stride, padding: padding)
        : nil
      let dw =
        weight.requiresGrad
        ? Tensor.conv2dBackwardWeight(x.value, dy: g, kernel: k, stride: stride, padding: padding)
        : nil
      return [dx, dw] + (bias == nil ? [] : [g.channelSums()])
    }
  }

  /// Transposed convolution ("deconvolution"), PyTorch's ConvTranspose2d: x (N, C_in, H, W),
  /// weight (C_in, C_out, k, k), bias (C_out) → (N, C_out, H', W') with
  ///
  ///     H' = (H − 1)·stride − 2·padding + k + outputPadding        (Dumoulin & Visin, relation 14)
  ///
  /// It is the input gradient of the convolution that maps (N, C_out, H', W') to x's shape with
  /// the same k, stride and padding, so it runs on that kernel; `outputPadding` (< stride) picks
  /// which of the several H' that convolution would map onto H is meant (7 → 14, not 13).
  /// Backward: ∂x is that convolution's forward pass applied to G, ∂w its weight gradient with the
  /// roles of input and output swapped, ∂bias the channel sums of G.
  public static func convTranspose2d(
    _ x: Variable, weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0,
    outputPadding: Int = 0
  ) -> Variable {
    check(
      x.shape.count == 4 && weight.shape.count == 4 && weight.shape[0] == x.shape[1],
      "convTranspose2d: input (N, C_in, H, W) \(x.shape) and weight (C_in, C_out, k, k)"
        + " \(weight.shape) do not agree")
    check(
      outputPadding >= 0 && outputPadding < max(stride, 1),
      "convTranspose2d: outputPadding must be in 0..<stride, got \(outputPadding)")
    let k = weight.shape[2]
    let outputShape = [
      x.shape[0], weight.shape[1], (x.shape[2] - 1) * stride - 2 * padding + k + outputPadding,
      (x.shape[3] - 1) * stride - 2 * padding + k + outputPadding,
    ]
    check(
      outputShape[2] > 0 && outputShape[3] > 0,
      "convTranspose2d: a \(x.shape[2])x\(x.shape[3]) input gives an empty output \(outputShape)")
    var y = Tensor.conv2dBackwardInput(
      x.value, weight: weight.value, inputShape: outputShape, stride: stride, padding: padding)
    if let bias { y = y.addingChannelBias(bias.value) }
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return record(y, name: "convTranspose2d", inputs: inputs) { g in
      let dx =
        x.requiresGrad
        ? Tensor.conv2d(g, weight: weight.value, stride: stride, padding: padding) : nil
      let dw =
        weight.requiresGrad
        ? Tensor.conv2dBackwardWeight(g, dy: x.value, kernel: k, stride: stride, padding: padding)
        : nil
      return [dx, dw] + (bias == nil ? [] : [g.channelSums()])
    }
  }
}
