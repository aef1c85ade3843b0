import Bottleneck
import Foundation

/// Chapter 4's model: one sigmoid layer each way, 784 → 256 → 784. One encoder layer, because
/// the contractive penalty has a closed form for exactly that encoder (Rifai et al. 2011); a
/// sigmoid code, because its slope h(1 − h) is what the penalty shrinks; 256 units, wide enough
/// to rebuild garments well (chapter 1's deep model uses 256 in its first layer) and small enough
/// that J is a 256 × 784 matrix whose spectrum takes a few milliseconds.
struct SigmoidAutoencoder: Module {
  let encoder: Linear
  let decoder: Linear

  init(width: Int = 256, rng: inout RandomGenerator) {
    encoder = Linear(784, width, init: .xavier, rng: &rng)
    decoder = Linear(width, 784, init: .xavier, rng: &rng)
  }

  /// h = s(W x + b): x is (batch, 784), h is (batch, 256).
  func encode(_ x: Variable) -> Variable { encoder(x).sigmoid() }
  func decode(_ h: Variable) -> Variable { decoder(h).sigmoid() }
  func callAsFunction(_ x: Variable) -> Variable { decode(encode(x)) }

  var namedParameters: [(name: String, variable: Variable)] {
    encoder.namedParameters(prefix: "encoder") + decoder.namedParameters(prefix: "decoder")
  }

  /// ‖J_f(x)‖_F for every row of x, from the closed form Σ_j (h_j(1 − h_j))² Σ_i W_ji².
  func jacobianNorms(_ x: Tensor) -> [Double] {
    let h = inference { encode(Variable(x)).value }
    let (n, m) = (h.shape[0], h.shape[1])
    let w = encoder.weight.value.scalars
    let rowSquares = (0..<m).map { j in
      (0..<784).reduce(0.0) { $0 + Double(w[j * 784 + $1]) * Double(w[j * 784 + $1]) }
    }
    return (0..<n).map { b in
      var total = 0.0
      for j in 0..<m {
        let v = Double(h.scalars[b * m + j])
        let a = v * (1 - v)
        total += a * a * rowSquares[j]
      }
      return total.squareRoot()
    }
  }

  /// The encoder's Jacobian at one image (784 numbers): (256, 784), by the library's reverse mode.
  func jacobian(at x: Tensor) -> Tensor {
    Bottleneck.jacobian(of: { encode($0) }, at: x.reshaped([1, 784]))
  }
}

/// How a model was trained.
enum Regulariser {
  case none
  case noise(sigma: Float)
  case contractive(lambda: Float)
}

/// What chapter 4 measures about an encoder on the test set.
struct ContractionReport {
  let testMSE: Double
  let jacobianMean: Double
  /// Mean singular-value spectrum (largest first) at the spectrum images.
  let spectrum: [Double]
  /// Mean count of singular values above 10% of the largest, at those images.
  let above10Percent: Double
  /// Mean of ‖f(x + ε) − f(x)‖ / ‖ε‖ over 2,000 test images, ε in a random direction, for each
  /// perturbation size ‖ε‖.
  let perturbation: [(size: Double, ratio: Double)]

  init(
    _ model: SigmoidAutoencoder, test: ImageDataset, spectrumImages: [Int], sizes: [Double],
    seed: UInt64
  ) {
    testMSE = test.reconstructionMSE { model($0) }
    let all = test.tensor()
    let norms = model.jacobianNorms(all)
    jacobianMean = norms.reduce(0, +) / Double(norms.count)
    var spectra: [[Double]] = []
    var counts: [Double] = []
    for index in spectrumImages {
      let values = singularValues(model.jacobian(at: all.rows(index..<(index + 1))))
      spectra.append(values)
      counts.append(Double(values.filter { $0 > 0.1 * values[0] }.count))
    }
    spectrum = (0..<(spectra.first?.count ?? 0)).map { r in
      spectra.reduce(0) { $0 + $1[r] } / Double(spectra.count)
    }
    above10Percent = counts.reduce(0, +) / Double(max(counts.count, 1))
    // Random directions, the same for every model (a generator of their own).
    // (On the first 2,000 test images: enough for a mean, and a third of the memory.)
    var rng = RandomGenerator(seed: seed &+ 4000)
    let images = all.rows(0..<min(2000, all.shape[0]))
    let n = images.shape[0]
    let clean = inference { model.encode(Variable(images)).value }
    perturbation = sizes.map { size in
      let direction = Tensor.normal([n, 784], std: 1, using: &rng)
      var moved = images
      moved.withUnsafeMutablePointer { p in
        direction.withUnsafePointer { u in
          for b in 0..<n {
            var norm: Float = 0
            for i in 0..<784 { norm += u[b * 784 + i] * u[b * 784 + i] }
            let scale = Float(size) / norm.squareRoot()
            for i in 0..<784 { p[b * 784 + i] += scale * u[b * 784 + i] }
          }
        }
      }
      let shifted = inference { model.encode(Variable(moved)).value }
      let m = clean.shape[1]
      var total = 0.0
      for b in 0..<n {
        var d = 0.0
        for j in 0..<m {
          let diff = Double(shifted.scalars[b * m + j] - clean.scalars[b * m + j])
          d += diff * diff
        }
        total += d.squareRoot() / size
      }
      return (size, total / Double(n))
    }
  }

  var metrics: [String: MetricValue] {
    [
      "test_mse_per_pixel": MetricValue(testMSE),
      "jacobian_frobenius_mean": MetricValue(jacobianMean),
      "singular_values_above_10_percent": MetricValue(above10Percent),
      "singular_values_top10": .list(spectrum.prefix(10).map { MetricValue($0) }),
      "perturbation_ratio": .group(
        Dictionary(
          uniqueKeysWithValues: perturbation.map {
            (String(format: "%g", $0.size), MetricValue($0.ratio))
          })),
    ]
  }
}
