/// The shapes of one 2-D convolution on NCHW batches, as every framework computes it (strictly a
/// cross-correlation: the kernel is not flipped):
///
///     y[n, o, a, b] = bias[o] + Σ_c Σ_i Σ_j  x[n, c, a·s − p + i, b·s − p + j] · w[o, c, i, j]
///
///     x  (batch, inChannels, height, width)          input; positions outside it read as 0
///     w  (outChannels, inChannels, kernel, kernel)   weights, PyTorch's layout
///     y  (batch, outChannels, outHeight, outWidth)   outHeight = ⌊(height + 2p − kernel) / s⌋ + 1
///
/// with stride s and zero padding p on every side (Dumoulin & Visin 2016, "A guide to convolution
/// arithmetic for deep learning", relationship 6). A transposed convolution is the same geometry
/// read backwards: its input is `y`'s shape and its output `x`'s (see `conv2dBackwardInput`).
public struct ConvGeometry: Sendable, Equatable, CustomStringConvertible {
  public let batch: Int
  public let inChannels: Int
  public let height: Int
  public let width: Int
  public let outChannels: Int
  public let kernel: Int
  public let stride: Int
  public let padding: Int

  public init(
    batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, kernel: Int,
    stride: Int = 1, padding: Int = 0
  ) {
    precondition(
      batch >= 0 && inChannels > 0 && outChannels > 0 && height > 0 && width > 0,
      "ConvGeometry: sizes must be positive")
    precondition(
      kernel > 0 && stride > 0 && padding >= 0, "ConvGeometry: bad kernel, stride or padding")
    self.batch = batch
    self.inChannels = inChannels
    self.height = height
    self.width = width
    self.outChannels = outChannels
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
  }

  public var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
  public var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
  /// Whether each image has one patch, the whole image: a kernel the size of the image and no
  /// padding (the output is 1x1). im2col is then a transpose (TiledKernels+Conv.swift).
  public var patchIsWholeImage: Bool {
    padding == 0 && kernel == height && kernel == width
  }
  /// The same layer on `batch` images (a slice of this batch).
  public func withBatch(_ batch: Int) -> ConvGeometry {
    ConvGeometry(
      batch: batch, inChannels: inChannels, height: height, width: width,
      outChannels: outChannels, kernel: kernel, stride: stride, padding: padding)
  }

  /// Whether the kernel fits the padded input at least once.
  public var isValid: Bool { height + 2 * padding >= kernel && width + 2 * padding >= kernel }

  public var inputCount: Int { batch * inChannels * height * width }
  public var outputCount: Int { batch * outChannels * outHeight * outWidth }
  public var weightCount: Int { outChannels * inChannels * kernel * kernel }
  /// Multiply-adds of the forward pass (each backward product has as many).
  public var multiplyAdds: Int {
    batch * outChannels * outHeight * outWidth * inChannels * kernel * kernel
  }

  public var description: String {
    "(\(batch), \(inChannels), \(height), \(width)) → (\(batch), \(outChannels), \(outHeight),"
      + " \(outWidth)), kernel \(kernel), stride \(stride), padding \(padding)"
  }
}
