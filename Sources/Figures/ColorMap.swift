// Colour maps: numbers to colours.
//   diverging    for weights and filters, whose sign matters: negative blue, zero white, positive
//                red, symmetric about zero so that equal |w| gives equally strong colours.
//   viridis      for magnitudes (errors, densities): dark purple to yellow, brightness rising
//                steadily, readable in grey and by most colour-blind readers.
//   classes      ten distinguishable colours for the ten classes of a scatter plot or grid rows.
// Each map is a few key colours with straight-line blending between them.

/// Numbers to colours.
public enum ColorMap {
  /// Blue (value = -scale) through white (0) to red (+scale); values beyond ±scale clamp.
  /// Use scale = max |w| over what is drawn, so the strongest weight gets the full colour.
  /// A zero or non-finite scale, or a NaN value, gives white.
  public static func diverging(_ value: Float, scale: Float) -> RGB {
    guard scale > 0, scale.isFinite, !value.isNaN else { return .white }
    let t = min(max(value / scale, -1), 1)  // in [-1, 1]
    return blend(divergingStops, at: (t + 1) / 2)
  }

  /// Viridis, approximated by its colours at 0, 1/8, ..., 1. `t` clamps to [0, 1]; NaN gives 0.
  public static func viridis(_ t: Float) -> RGB {
    blend(viridisStops, at: t.isNaN ? 0 : min(max(t, 0), 1))
  }

  /// Ten colours for classes 0...9 (the "Tableau 10" palette), picked to be told apart easily.
  public static let classes: [RGB] = [
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
    0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
  ].map { RGB(hex: $0) }

  /// The colour of class `label`; labels past 9 wrap around.
  public static func classColor(_ label: Int) -> RGB {
    classes[((label % classes.count) + classes.count) % classes.count]
  }

  // ColorBrewer's RdBu, with its near-white centre made pure white.
  static let divergingStops: [RGB] = [
    0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xffffff, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b,
  ].map { RGB(hex: $0) }

  // matplotlib's viridis sampled at 0, 0.125, ..., 1.
  static let viridisStops: [RGB] = [
    0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaadc32, 0xfde725,
  ].map { RGB(hex: $0) }

  /// The colour at `t` in [0, 1] along evenly spaced `stops`.
  static func blend(_ stops: [RGB], at t: Float) -> RGB {
    let position = t * Float(stops.count - 1)
    let lower = min(Int(position), stops.count - 2)
    return RGB.mix(stops[lower], stops[lower + 1], position - Float(lower))
  }
}
