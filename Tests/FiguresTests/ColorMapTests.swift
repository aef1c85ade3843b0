import Testing

@testable import Figures

@Test func divergingMapIsWhiteAtZeroAndSignGivesTheHue() {
  #expect(ColorMap.diverging(0, scale: 1) == .white)
  #expect(ColorMap.diverging(0, scale: 0.001) == .white)
  for magnitude: Float in [0.1, 0.5, 1] {
    let positive = ColorMap.diverging(magnitude, scale: 1)
    let negative = ColorMap.diverging(-magnitude, scale: 1)
    #expect(positive.r > positive.b, "positive values are red")
    #expect(negative.b > negative.r, "negative values are blue")
  }
  // Stronger values are further from white (darker).
  #expect(ColorMap.diverging(1, scale: 1).luma < ColorMap.diverging(0.3, scale: 1).luma)
  #expect(ColorMap.diverging(-1, scale: 1).luma < ColorMap.diverging(-0.3, scale: 1).luma)
  // The ends and the clamping.
  #expect(ColorMap.diverging(1, scale: 1) == RGB(hex: 0xb2182b))
  #expect(ColorMap.diverging(-1, scale: 1) == RGB(hex: 0x2166ac))
  #expect(ColorMap.diverging(50, scale: 2) == ColorMap.diverging(2, scale: 2))
  // Scale only sets the unit: w / scale decides the colour.
  #expect(ColorMap.diverging(0.3, scale: 0.6) == ColorMap.diverging(5, scale: 10))
  // Degenerate input gives the centre colour, not a crash.
  #expect(ColorMap.diverging(.nan, scale: 1) == .white)
  #expect(ColorMap.diverging(1, scale: 0) == .white)
}

@Test func viridisRunsFromPurpleToYellowGettingBrighter() {
  #expect(ColorMap.viridis(0) == RGB(hex: 0x440154))
  #expect(ColorMap.viridis(1) == RGB(hex: 0xfde725))
  #expect(ColorMap.viridis(-3) == ColorMap.viridis(0) && ColorMap.viridis(9) == ColorMap.viridis(1))
  let lumas = (0...20).map { ColorMap.viridis(Float($0) / 20).luma }
  #expect(zip(lumas, lumas.dropFirst()).allSatisfy { $0 <= $1 })
}

@Test func classColorsAreTenDistinctColours() {
  #expect(Set(ColorMap.classes).count == 10)
  #expect(ColorMap.classColor(10) == ColorMap.classColor(0))
  #expect(ColorMap.classColor(-1) == ColorMap.classColor(9))
}

@Test func rgbHelpers() {
  #expect(RGB(hex: 0x1f77b4) == RGB(0x1f, 0x77, 0xb4))
  #expect(RGB(hex: 0x1f77b4).hexString == "#1f77b4")
  #expect(RGB(grey: 77).luma == 77 && RGB(255, 0, 0).luma == 76)
  #expect(RGB.mix(.black, .white, 0.5) == RGB(grey: 128))
}

@Test func weightTileUsesTheLargestMagnitudeByDefault() {
  let tile = PNGImage(weights: [-2, 1, 0, 2] as [Float], width: 2, height: 2)
  #expect(tile.channels == 3)
  #expect(tile[0, 0] == ColorMap.diverging(-1, scale: 1))
  #expect(tile[1, 0] == ColorMap.diverging(0.5, scale: 1))
  #expect(tile[0, 1] == .white)
  let fixed = PNGImage(weights: [-2, 1, 0, 2] as [Float], width: 2, height: 2, scale: 4)
  #expect(fixed[1, 1] == ColorMap.diverging(0.5, scale: 1))
}

@Test func heatTileSpansItsRange() {
  let tile = PNGImage(heat: [3, 5, 7, 4] as [Float], width: 2, height: 2)
  #expect(tile[0, 0] == ColorMap.viridis(0) && tile[0, 1] == ColorMap.viridis(1))
  #expect(tile[1, 0] == ColorMap.viridis(0.5))
}

@Test func imagePixelAccessAndRGBConversion() {
  var image = PNGImage(width: 3, height: 2, channels: 1, fill: RGB(grey: 9))
  image[2, 1] = RGB(grey: 200)
  #expect(image.pixels == [9, 9, 9, 9, 9, 200])
  let rgb = image.rgb()
  #expect(rgb.channels == 3 && rgb[2, 1] == RGB(grey: 200) && rgb[0, 0] == RGB(grey: 9))
}
