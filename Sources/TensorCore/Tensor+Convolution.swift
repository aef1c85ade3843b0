import Kernels

// Convolutions of NCHW tensors on the current kernel set (Kernels/ConvGeometry.swift has the
// formula). Each function starts with its shapes.

extension Tensor {
  /// The geometry of a convolution of x (N, C, H, W) with weight (O, C, k, k).
  static func convGeometry(input: [Int], weight: [Int], stride: Int, padding: Int, _ op: String)
    -> ConvGeometry
  {
    check(
      input.count == 4 && weight.count == 4 && weight[2] == weight[3],
      "\(op): input must be (batch, channels, height, width) and weight (out, in, k, k), got"
        + " \(input) and \(weight)")
    check(
      input[1] == weight[1],
      "\(op): the input has \(input[1]) channels but the weight expects \(weight[1])")
    check(stride >= 1 && padding >= 0, "\(op): stride must be ≥ 1 and padding ≥ 0")
    let g = ConvGeometry(
      batch: input[0], inChannels: input[1], height: input[2], width: input[3],
      outChannels: weight[0], kernel: weight[2], stride: stride, padding: padding)
    check(
      g.isValid,
      "\(op): a \(g.kernel)x\(g.kernel) kernel does not fit a \(input[2])x\(input[3]) image with"
        + " padding \(padding)")
    return g
  }

  /// y = conv(x, w) + bias: x (N, C, H, W), weight (O, C, k, k), bias (O) → y (N, O, OH, OW).
  public static func conv2d(
    _ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    let g = convGeometry(
      input: x.shape, weight: weight.shape, stride: stride, padding: padding, "conv2d")
    check(bias == nil || bias!.shape == [g.outChannels], "conv2d: bias must be (\(g.outChannels))")
    let kernels = Kernels.current
    return Tensor(shape: [g.batch, g.outChannels, g.outHeight, g.outWidth]) { y in
      x.withUnsafePointer { px in
        weight.withUnsafePointer { pw in
          if let bias {
            bias.withUnsafePointer { kernels.conv2d(g, x: px, weight: pw, bias: $0, y: y) }
          } else {
            kernels.conv2d(g, x: px, weight: pw, bias: nil, y: y)
          }
        }
      }
    }
  }

  /// The gradient of conv2d with respect to its input: dy (N, O, OH, OW) and weight (O, C, k, k)
  /// → dx of `inputShape` (N, C, H, W). Also a transposed convolution's forward pass.
  public static func conv2dBackwardInput(
    _ dy: Tensor, weight: Tensor, inputShape: [Int], stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    let g = convGeometry(
      input: inputShape, weight: weight.shape, stride: stride, padding: padding,
      "conv2dBackwardInput")
    check(
      dy.shape == [g.batch, g.outChannels, g.outHeight, g.outWidth],
      "conv2dBackwardInput: dy is \(dy.shape), expected \([g.batch, g.outChannels, g.outHeight, g.outWidth])"
    )
    let kernels = Kernels.current
    return Tensor(shape: inputShape) { dx in
      dy.withUnsafePointer { pdy in
        weight.withUnsafePointer { kernels.conv2dBackwardInput(g, dy: pdy, weight: $0, dx: dx) }
      }
    }
  }

  /// The gradient of conv2d with respect to its weight: x (N, C, H, W) and dy (N, O, OH, OW)
  /// → dw (O, C, k, k).
  public static func conv2dBackwardWeight(
    _ x: Tensor, dy: Tensor, kernel: Int, stride: Int = 1, padding: Int = 0
  ) -> Tensor {
    check(dy.rank == 4, "conv2dBackwardWeight: dy must be (N, O, OH, OW), got \(dy.shape)")
    let weightShape = [dy.shape[1], x.shape.count == 4 ? x.shape[1] : 0, kernel, kernel]
    let g = convGeometry(
      input: x.shape, weight: weightShape, stride: stride, padding: padding, "conv2dBackwardWeight")
    check(
      dy.shape == [g.batch, g.outChannels, g.outHeight, g.outWidth],
      "conv2dBackwardWeight: dy is \(dy.shape), expected \([g.batch, g.outChannels, g.outHeight, g.outWidth])"
    )
    let kernels = Kernels.current
    return Tensor(shape: weightShape) { dw in
      x.withUnsafePointer { px in
        dy.withUnsafePointer { kernels.conv2dBackwardWeight(g, x: px, dy: $0, dWeight: dw) }
      }
    }
  }

  /// Σ over the batch and the pixels of each channel of an NCHW tensor: (N, C, H, W) → (C), the
  /// bias gradient of a convolution.
  public func channelSums() -> Tensor {
    check(rank == 4, "channelSums: needs an (N, C, H, W) tensor, got \(shape)")
    let (n, c, pixels) = (shape[0], shape[1], shape[2] * shape[3])
    // Row sums of the (N·C, H·W) view, then column sums of the (N, C) result.
    let perImage = reshaped([n * c, pixels]).sum(alongAxis: 1)
    return perImage.reshaped([n, c]).sum(alongAxis: 0)
  }

  /// x + bias[c] on every pixel of channel c: (N, C, H, W) and (C).
  public func addingChannelBias(_ bias: Tensor) -> Tensor {
    check(rank == 4 && bias.shape == [shape[1]], "addingChannelBias: bias must be (\(shape[1]))")
    var out = self
    let (n, c, pixels) = (shape[0], shape[1], shape[2] * shape[3])
    out.withUnsafeMutablePointer { y in
      bias.withUnsafePointer { b in
        for image in 0..<n {
          for channel in 0..<c {
            let plane = y + (image * c + channel) * pixels
            let add = b[channel]
            for p in 0..<pixels { plane[p] += add }
          }
        }
      }
    }
    return out
  }
}
