import TensorCore

// Small images ("tiles") from rows of numbers: a 784-vector becomes a 28x28 picture. These are what
// an ImageGrid lays out.

extension PNGImage {
  /// A grey tile from `width * height` values in row-major order: 0 is black, 1 is white, values
  /// outside [0, 1] clamp (NaN draws black).
  public init<Values: Collection<Float>>(grey values: Values, width: Int, height: Int) {
    check(
      values.count == width * height,
      "PNGImage(grey:): \(values.count) values cannot fill \(width)x\(height)")
    let levels = values.map { value -> UInt8 in
      value.isNaN ? 0 : UInt8((min(max(value, 0), 1) * 255).rounded())
    }
    self.init(width: width, height: height, channels: 1, pixels: levels)
  }

  /// An RGB tile of weights (one unit's 784 input weights, say) in the diverging map: negative
  /// blue, zero white, positive red. `scale` is the |w| that gets full colour; by default the
  /// largest |w| in `weights`. Pass one shared scale to compare several tiles fairly.
  public init<Values: Collection<Float>>(
    weights: Values, width: Int, height: Int, scale: Float? = nil
  ) {
    check(
      weights.count == width * height,
      "PNGImage(weights:): \(weights.count) weights cannot fill \(width)x\(height)")
    let s = scale ?? weights.reduce(0) { max($0, abs($1)) }
    var pixels = [UInt8]()
    pixels.reserveCapacity(weights.count * 3)
    for w in weights {
      let color = ColorMap.diverging(w, scale: s)
      pixels += [color.r, color.g, color.b]
    }
    self.init(width: width, height: height, channels: 3, pixels: pixels)
  }

  /// An RGB tile of magnitudes in the viridis map; `range` maps to dark..bright (by default the
  /// smallest...largest value).
  public init<Values: Collection<Float>>(
    heat values: Values, width: Int, height: Int, range: ClosedRange<Float>? = nil
  ) {
    check(
      values.count == width * height,
      "PNGImage(heat:): \(values.count) values cannot fill \(width)x\(height)")
    let low = range?.lowerBound ?? values.min() ?? 0
    let high = range?.upperBound ?? values.max() ?? 1
    let span = high > low ? high - low : 1
    var pixels = [UInt8]()
    pixels.reserveCapacity(values.count * 3)
    for value in values {
      let color = ColorMap.viridis((value - low) / span)
      pixels += [color.r, color.g, color.b]
    }
    self.init(width: width, height: height, channels: 3, pixels: pixels)
  }
}
