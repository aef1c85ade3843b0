import Foundation
import TensorCore
import Testing

@testable import Imaging

@Suite("Corruptions: Gaussian, masking, salt-and-pepper")
struct CorruptionTests {
  static let d = 784

  /// n constant-0.5 images of 784 pixels.
  static func flat(_ n: Int) -> Tensor { Tensor(repeating: 0.5, shape: [n, d]) }

  @Test(arguments: [Float(0.5), 0.3, 0.75, 1])
  func maskingZeroesExactlyRoundNuDPixelsPerImage(nu: Float) {
    var rng = RandomGenerator(seed: 11)
    let x = Self.flat(64)
    let y = Corruption.masking(fraction: nu).apply(to: x, using: &rng)
    let expected = Int((Double(nu) * Double(Self.d)).rounded())  // 392, 235, 588, 784
    for i in 0..<64 {
      let row = y.scalars[i * Self.d..<(i + 1) * Self.d]
      #expect(row.filter { $0 == 0 }.count == expected)
      #expect(row.filter { $0 == 0.5 }.count == Self.d - expected)  // the rest untouched
    }
    #expect(x.scalars.allSatisfy { $0 == 0.5 })  // the input is left alone
  }

  @Test func maskingChoosesPixelsUniformly() {
    // 2,000 images at ν = 0.5: every pixel is masked about half the time, in the first half of
    // the image as in the second (each half: 784,000 draws, standard error 0.0006 of 0.5).
    var rng = RandomGenerator(seed: 12)
    let y = Corruption.masking(fraction: 0.5).apply(to: Self.flat(2000), using: &rng)
    var maskedPerPixel = [Int](repeating: 0, count: Self.d)
    for i in 0..<2000 {
      for p in 0..<Self.d where y.scalars[i * Self.d + p] == 0 { maskedPerPixel[p] += 1 }
    }
    let firstHalf = Double(maskedPerPixel[..<392].reduce(0, +)) / (392 * 2000)
    let secondHalf = Double(maskedPerPixel[392...].reduce(0, +)) / (392 * 2000)
    #expect(abs(firstHalf - 0.5) < 0.003 && abs(secondHalf - 0.5) < 0.003)
    // Per pixel, Binomial(2000, 0.5): standard deviation 22; 6 of them either side.
    #expect(
      maskedPerPixel.allSatisfy { abs($0 - 1000) < 135 },
      "\(maskedPerPixel.min()!)…\(maskedPerPixel.max()!)")
  }

  @Test func saltAndPepperSetsExactlyRoundSDPixelsToZeroOrOne() {
    var rng = RandomGenerator(seed: 13)
    let y = Corruption.saltAndPepper(fraction: 0.2).apply(to: Self.flat(64), using: &rng)
    let expected = Int((0.2 * Double(Self.d)).rounded())  // round(156.8) = 157
    var salt = 0
    for i in 0..<64 {
      let row = y.scalars[i * Self.d..<(i + 1) * Self.d]
      let changed = row.filter { $0 != 0.5 }
      #expect(changed.count == expected)
      #expect(changed.allSatisfy { $0 == 0 || $0 == 1 })
      salt += changed.filter { $0 == 1 }.count
    }
    // 64 · 157 = 10,048 corrupted pixels; the share of salt has standard error 0.005 around 1/2.
    let saltShare = Double(salt) / Double(64 * expected)
    #expect(abs(saltShare - 0.5) < 0.025, "salt share \(saltShare)")
  }

  @Test func saltAndPepperColourDoesNotDependOnWhereThePixelIs() {
    // A pixel's colour must be a draw of its own. (A first version drew it from a copy of the
    // generator that had just chosen the pixel, so pixels in the bottom half, chosen by large
    // draws, came out salt and those at the top pepper.) 1,000 images at s = 0.2: each half of the
    // image holds about 78,400 corrupted pixels, standard error 0.0018 on a salt share of 1/2.
    var rng = RandomGenerator(seed: 14)
    let y = Corruption.saltAndPepper(fraction: 0.2).apply(to: Self.flat(1000), using: &rng)
    var (salt, corrupted) = ([0, 0], [0, 0])
    for i in 0..<1000 {
      for p in 0..<Self.d {
        let v = y.scalars[i * Self.d + p]
        guard v != 0.5 else { continue }
        corrupted[p < 392 ? 0 : 1] += 1
        if v == 1 { salt[p < 392 ? 0 : 1] += 1 }
      }
    }
    for half in 0..<2 {
      let share = Double(salt[half]) / Double(corrupted[half])
      #expect(abs(share - 0.5) < 0.012, "salt share \(share) in half \(half)")
    }
  }

  @Test func gaussianNoiseHasMeanZeroAndStandardDeviationSigma() {
    var rng = RandomGenerator(seed: 14)
    let x = Self.flat(64)
    let y = Corruption.gaussian(sigma: 0.1).apply(to: x, using: &rng)
    #expect(y.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    // 50,176 pixels; clipping needs |noise| > 5σ (about 0.03 pixels expected), so the noise is
    // plain N(0, σ²). Standard errors: σ/√N = 0.00045 for the mean, σ/√(2N) = 0.00032 for the std.
    let noise = y.scalars.map { Double($0) - 0.5 }
    let n = Double(noise.count)
    let mean = noise.reduce(0, +) / n
    let std = (noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
    #expect(abs(mean) < 0.0023, "mean \(mean)")
    #expect(abs(std - 0.1) < 0.0016, "std \(std)")
  }

  @Test func largeGaussianNoiseIsClippedToExactlyZeroAndOne() {
    // σ = 1 on 0.5: the output is clipped when |z| > 0.5, with probability 2Φ(−0.5) ≈ 0.617, half
    // of it at each end. Over 50,176 pixels the standard error of that fraction is 0.0022.
    var rng = RandomGenerator(seed: 15)
    let y = Corruption.gaussian(sigma: 1).apply(to: Self.flat(64), using: &rng)
    #expect(y.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    let n = Double(y.count)
    let zeros = Double(y.scalars.filter { $0 == 0 }.count) / n
    let ones = Double(y.scalars.filter { $0 == 1 }.count) / n
    let expected = 2 * normalCDF(-0.5)
    #expect(abs(expected - 0.617) < 0.001)
    #expect(abs(zeros + ones - expected) < 0.011, "clipped \(zeros + ones)")
    #expect(abs(zeros - expected / 2) < 0.01 && abs(ones - expected / 2) < 0.01)
  }

  @Test(arguments: [
    Corruption.gaussian(sigma: 0), .masking(fraction: 0), .saltAndPepper(fraction: 0),
  ])
  func levelZeroLeavesTheInputUnchanged(corruption: Corruption) {
    let x = randomImages(16, Self.d, seed: 1)
    var rng = RandomGenerator(seed: 16)
    #expect(corruption.apply(to: x, using: &rng) == x)
    // The caller's generator still moves on by one draw per image, as at any other level.
    var other = RandomGenerator(seed: 16)
    _ = Corruption.masking(fraction: 0.5).apply(to: x, using: &other)
    #expect(rng.next() == other.next())
  }

  static let all: [Corruption] = [
    .gaussian(sigma: 0.3), .masking(fraction: 0.5), .saltAndPepper(fraction: 0.2),
  ]

  @Test(arguments: all)
  func sameSeedSameBatchDifferentSeedDifferentBatch(corruption: Corruption) {
    let x = randomImages(32, Self.d, seed: 2)
    var a = RandomGenerator(seed: 17)
    var b = RandomGenerator(seed: 17)
    var c = RandomGenerator(seed: 18)
    let first = corruption.apply(to: x, using: &a)
    #expect(first == corruption.apply(to: x, using: &b))
    #expect(first != corruption.apply(to: x, using: &c))
    #expect(first != x)
    // The next call continues the stream: another batch, different from the first.
    #expect(corruption.apply(to: x, using: &a) != first)
  }

  @Test(arguments: all)
  func aLargeBatchMatchesImageByImage(corruption: Corruption) {
    // 300 images take the parallel path; image i is corrupted with the generator split off as
    // the caller's i-th draw, so one image at a time, from the generator advanced i draws,
    // must give the same pixels, bit for bit.
    let x = randomImages(300, Self.d, seed: 3)
    var rng = RandomGenerator(seed: 19)
    let batch = corruption.apply(to: x, using: &rng)
    var stream = RandomGenerator(seed: 19)
    for i in 0..<300 {
      var one = stream
      #expect(corruption.apply(to: image(x, i), using: &one) == image(batch, i))
      _ = stream.next()
    }
  }

  @Test func namesAndLevels() {
    #expect(Corruption.gaussian(sigma: 0.3).description == "Gaussian σ = 0.3")
    #expect(Corruption.masking(fraction: 0.5).description == "masking ν = 0.5")
    #expect(Corruption.saltAndPepper(fraction: 0.2).description == "salt-and-pepper s = 0.2")
    #expect(Corruption.gaussian(sigma: 1).description == "Gaussian σ = 1")
    #expect(Self.all.map(\.kind) == ["gaussian", "masking", "salt_and_pepper"])
    #expect(Self.all.map(\.level) == [0.3, 0.5, 0.2])
  }

  @Test func anOutOfRangeLevelStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      var rng = RandomGenerator(seed: 1)
      _ = Corruption.masking(fraction: 1.5).apply(to: Tensor(zeros: [2, 784]), using: &rng)
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("masking") && message.contains("1.5"), "\(message)")
  }
}
