import Kernels
import Testing

// Array versions of the three convolution kernels.

func conv2d(_ k: any KernelSet, _ g: ConvGeometry, _ x: [Float], _ w: [Float], _ bias: [Float]?)
  -> [Float]
{
  var y = [Float](repeating: .nan, count: g.outputCount)
  x.withUnsafeBufferPointer { x in
    w.withUnsafeBufferPointer { w in
      y.withUnsafeMutableBufferPointer { y in
        if let bias {
          bias.withUnsafeBufferPointer {
            k.conv2d(
              g, x: x.baseAddress!, weight: w.baseAddress!, bias: $0.baseAddress!, y: y.baseAddress!
            )
          }
        } else {
          k.conv2d(g, x: x.baseAddress!, weight: w.baseAddress!, bias: nil, y: y.baseAddress!)
        }
      }
    }
  }
  return y
}

func conv2dBackwardInput(_ k: any KernelSet, _ g: ConvGeometry, _ dy: [Float], _ w: [Float])
  -> [Float]
{
  var dx = [Float](repeating: .nan, count: g.inputCount)
  dy.withUnsafeBufferPointer { dy in
    w.withUnsafeBufferPointer { w in
      dx.withUnsafeMutableBufferPointer {
        k.conv2dBackwardInput(g, dy: dy.baseAddress!, weight: w.baseAddress!, dx: $0.baseAddress!)
      }
    }
  }
  return dx
}

func conv2dBackwardWeight(_ k: any KernelSet, _ g: ConvGeometry, _ x: [Float], _ dy: [Float])
  -> [Float]
{
  var dw = [Float](repeating: .nan, count: g.weightCount)
  x.withUnsafeBufferPointer { x in
    dy.withUnsafeBufferPointer { dy in
      dw.withUnsafeMutableBufferPointer {
        k.conv2dBackwardWeight(g, x: x.baseAddress!, dy: dy.baseAddress!, dWeight: $0.baseAddress!)
      }
    }
  }
  return dw
}

func dot(_ a: [Float], _ b: [Float]) -> Double {
  zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

/// Odd shapes: 1x1 images, odd sizes, stride 1 and 2, padding 0–2, kernels 1, 3, 4 and 7,
/// several channels, batch 1 and 3; and the chapter's layers.
let convShapes: [ConvGeometry] = [
  ConvGeometry(batch: 1, inChannels: 1, height: 1, width: 1, outChannels: 1, kernel: 1),
  ConvGeometry(batch: 3, inChannels: 2, height: 1, width: 1, outChannels: 3, kernel: 3, padding: 1),
  ConvGeometry(batch: 1, inChannels: 3, height: 5, width: 7, outChannels: 2, kernel: 3),
  ConvGeometry(
    batch: 3, inChannels: 2, height: 7, width: 5, outChannels: 4, kernel: 3, stride: 2, padding: 1),
  ConvGeometry(
    batch: 3, inChannels: 3, height: 9, width: 9, outChannels: 5, kernel: 4, stride: 2, padding: 1),
  ConvGeometry(
    batch: 1, inChannels: 2, height: 6, width: 6, outChannels: 3, kernel: 4, stride: 2, padding: 2),
  ConvGeometry(batch: 3, inChannels: 4, height: 7, width: 7, outChannels: 3, kernel: 7),
  ConvGeometry(batch: 3, inChannels: 5, height: 4, width: 6, outChannels: 2, kernel: 1, stride: 2),
  ConvGeometry(batch: 1, inChannels: 1, height: 3, width: 3, outChannels: 2, kernel: 7, padding: 2),
  // One patch per image, the whole image (im2col becomes a transpose): batches that are not
  // multiples of 8, and one with C·H·W not a multiple of 8 either.
  ConvGeometry(batch: 13, inChannels: 3, height: 5, width: 5, outChannels: 2, kernel: 5),
  ConvGeometry(batch: 300, inChannels: 64, height: 7, width: 7, outChannels: 2, kernel: 7),
  ConvGeometry(batch: 9, inChannels: 2, height: 3, width: 3, outChannels: 3, kernel: 3, stride: 2),
  // More images than one im2col slice holds (TiledKernels.columnBudget: about 5 on a 512 KB L2).
  ConvGeometry(
    batch: 1000, inChannels: 32, height: 14, width: 14, outChannels: 3, kernel: 4, stride: 2,
    padding: 1),
  // Chapter 6's layers, on a batch of 3.
  ConvGeometry(
    batch: 3, inChannels: 1, height: 28, width: 28, outChannels: 32, kernel: 3, stride: 2,
    padding: 1),
  ConvGeometry(
    batch: 3, inChannels: 32, height: 14, width: 14, outChannels: 64, kernel: 3, stride: 2,
    padding: 1),
  ConvGeometry(batch: 3, inChannels: 64, height: 7, width: 7, outChannels: 128, kernel: 7),
]

@Suite("Convolution kernels")
struct ConvTests {
  @Test func aHandComputedExample() {
    // A 3x3 image, a 2x2 kernel, stride 1, no padding: y[a, b] = Σ x[a + i, b + j] w[i, j] + 10.
    let g = ConvGeometry(batch: 1, inChannels: 1, height: 3, width: 3, outChannels: 1, kernel: 2)
    let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let w: [Float] = [1, 0, 0, -1]  // x[a, b] − x[a + 1, b + 1]
    for choice in KernelChoice.allCases {
      #expect(conv2d(choice.kernels, g, x, w, [10]) == [6, 6, 6, 6], "\(choice)")
    }
    // Padding 1, stride 2: output 2x2 reading x at (−1..0, −1..0), (−1..0, 1..2), ...
    let padded = ConvGeometry(
      batch: 1, inChannels: 1, height: 3, width: 3, outChannels: 1, kernel: 2, stride: 2, padding: 1
    )
    #expect(padded.outHeight == 2 && padded.outWidth == 2)
    for choice in KernelChoice.allCases {
      // y[0,0] = 0·1 − x[0,0] = −1; y[0,1] = 0 − x[0,2] = −3; y[1,0] = 0 − x[2,0] = −7; y[1,1] = x[1,1] − x[2,2] = 5 − 9
      #expect(conv2d(choice.kernels, padded, x, w, nil) == [-1, -3, -7, -4], "\(choice)")
    }
  }

  @Test(arguments: convShapes) func tiledMatchesNaive(_ g: ConvGeometry) {
    var rng = TestRandom(seed: UInt64(g.inputCount + g.weightCount))
    let x = rng.array(g.inputCount)
    let w = rng.array(g.weightCount)
    let bias = rng.array(g.outChannels)
    let dy = rng.array(g.outputCount)
    let naive = NaiveKernels()
    let y = conv2d(naive, g, x, w, bias)
    let dx = conv2dBackwardInput(naive, g, dy, w)
    let dw = conv2dBackwardWeight(naive, g, x, dy)
    // Float sums in another order: a few ulps of the number of terms each output adds.
    let forwardTolerance: Float = 2e-5 * Float(g.inChannels * g.kernel * g.kernel + g.outChannels)
    let weightTolerance: Float = 2e-5 * Float(g.batch * g.outHeight * g.outWidth)
    for choice in KernelChoice.tiled {
      let k = choice.kernels
      #expect(
        maxDifference(conv2d(k, g, x, w, bias), y) <= forwardTolerance, "forward \(choice) \(g)")
      #expect(
        maxDifference(conv2dBackwardInput(k, g, dy, w), dx) <= forwardTolerance, "dx \(choice) \(g)"
      )
      #expect(
        maxDifference(conv2dBackwardWeight(k, g, x, dy), dw) <= weightTolerance, "dw \(choice) \(g)"
      )
    }
    // The tiled set gives bit-identical results on 1, 2 and 3 threads.
    let one = TiledKernels(threads: 1)
    let three = TiledKernels(threads: 3)
    #expect(conv2d(one, g, x, w, bias) == conv2d(three, g, x, w, bias))
    #expect(conv2dBackwardInput(one, g, dy, w) == conv2dBackwardInput(three, g, dy, w))
    #expect(conv2dBackwardWeight(one, g, x, dy) == conv2dBackwardWeight(three, g, x, dy))
  }

  /// Slices of 1, 2 and 3 images (whatever this machine's L2 says): the same numbers as one
  /// slice for the forward pass and the input gradient, and the weight gradient summed over
  /// slices within rounding.
  @Test(arguments: [1, 2, 3]) func anySliceSizeGivesTheSameConvolution(images: Int) {
    let g = ConvGeometry(
      batch: 7, inChannels: 3, height: 9, width: 8, outChannels: 5, kernel: 3, stride: 2,
      padding: 1)
    var rng = TestRandom(seed: 5)
    let (x, w, dy) = (rng.array(g.inputCount), rng.array(g.weightCount), rng.array(g.outputCount))
    var whole = TiledKernels(threads: 2)
    whole.convolutionSlice = 1 << 20
    var sliced = TiledKernels(threads: 2)
    sliced.convolutionSlice = images * 27 * 20  // C·k·k x OH·OW floats per image
    #expect(conv2d(sliced, g, x, w, nil) == conv2d(whole, g, x, w, nil))
    #expect(conv2dBackwardInput(sliced, g, dy, w) == conv2dBackwardInput(whole, g, dy, w))
    #expect(
      maxDifference(conv2dBackwardWeight(sliced, g, x, dy), conv2dBackwardWeight(whole, g, x, dy))
        <= 1e-5 * Float(g.batch * 20))
    // The weight gradient's partials are added in slice order however many slices are in
    // flight at once (4 per thread): bit-identical on 1, 2, 3 and 5 threads.
    let dw = conv2dBackwardWeight(sliced, g, x, dy)
    for threads in [1, 3, 5] {
      var other = sliced
      other.threads = threads
      #expect(conv2dBackwardWeight(other, g, x, dy) == dw, "\(threads) threads")
    }
  }

  @Test(arguments: convShapes.prefix(9)) func backwardKernelsAreTheForwardsAdjoints(
    _ g: ConvGeometry
  ) {
    // The forward (no bias) is linear in x and in w, so its gradients are its adjoints:
    //   ⟨conv(x; w), dy⟩ = ⟨x, dx(dy; w)⟩ = ⟨w, dw(x, dy)⟩
    // which checks the naive backward loops against the forward loop, with no autodiff involved.
    var rng = TestRandom(seed: 99)
    let x = rng.array(g.inputCount)
    let w = rng.array(g.weightCount)
    let dy = rng.array(g.outputCount)
    let naive = NaiveKernels()
    let forward = dot(conv2d(naive, g, x, w, nil), dy)
    let input = dot(x, conv2dBackwardInput(naive, g, dy, w))
    let weight = dot(w, conv2dBackwardWeight(naive, g, x, dy))
    let scale = max(1, Swift.abs(forward))
    #expect(Swift.abs(forward - input) < 1e-4 * scale, "\(g): \(forward) vs \(input)")
    #expect(Swift.abs(forward - weight) < 1e-4 * scale, "\(g): \(forward) vs \(weight)")
  }

  @Test func transposedOutputSizesFollowDumoulinAndVisin() {
    // A transposed conv (k 3, s 2, p 1, output padding 1) maps 7 → 14 and 14 → 28: it is the
    // input gradient of the conv from 14 (or 28) to 7 (or 14).
    for (big, small) in [(14, 7), (28, 14)] {
      let g = ConvGeometry(
        batch: 1, inChannels: 1, height: big, width: big, outChannels: 1, kernel: 3, stride: 2,
        padding: 1)
      #expect(g.outHeight == small)
      #expect((small - 1) * 2 - 2 * 1 + 3 + 1 == big)
    }
  }
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
  zip(a, b).reduce(0) { max($0, Swift.abs($1.0 - $1.1)) }
}
