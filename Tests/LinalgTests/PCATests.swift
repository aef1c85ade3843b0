import Foundation
import TensorCore
import Testing

@testable import Linalg

/// n samples in 3-D: mean `offset`, standard deviations 5, 1 and 0.1 along the orthonormal axes
/// u = (1, 2, 2)/3, v = (2, 1, −2)/3 and w = (2, −2, 1)/3.
private func stretchedCloud(_ n: Int, seed: UInt64) -> (x: Tensor, axes: [[Float]], offset: [Float])
{
  let axes: [[Float]] = [[1, 2, 2], [2, 1, -2], [2, -2, 1]].map { $0.map { $0 / 3 } }
  let stds: [Float] = [5, 1, 0.1]
  let offset: [Float] = [10, -3, 0.5]
  var rng = RandomGenerator(seed: seed)
  var scalars: [Float] = []
  for _ in 0..<n {
    let coefficients = stds.map { $0 * rng.normal() }
    for j in 0..<3 {
      scalars.append(offset[j] + (0..<3).reduce(0) { $0 + coefficients[$1] * axes[$1][j] })
    }
  }
  return (Tensor(shape: [n, 3], scalars: scalars), axes, offset)
}

/// n samples in d dimensions with correlated features (random mixing of independent normals
/// with decaying scales), all in [0, 1]-ish like pixels.
private func correlatedData(_ n: Int, _ d: Int, seed: UInt64) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  let mixing = Tensor.normal([d, d], using: &rng)
  let scales = Tensor(shape: [d], scalars: (0..<d).map { 1 / Float($0 + 1) })
  let latent = Tensor.normal([n, d], using: &rng) * scales
  return Tensor.matmul(latent, mixing) * 0.1 + 0.5
}

@Test func findsTheKnownPrincipalDirections() {
  let (x, axes, offset) = stretchedCloud(4000, seed: 1)
  let pca = PCA.fit(x, components: 3)
  for j in 0..<3 { #expect(abs(pca.mean.scalars[j] - offset[j]) < 0.3) }
  for k in 0..<3 {
    let row = Array(pca.components.scalars[(k * 3)..<(k * 3 + 3)])
    let cosine = zip(row, axes[k]).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(cosine) > 0.995, "component \(k): \(row) vs \(axes[k])")
  }
  // Variances 25, 1, 0.01 within sampling error.
  #expect(abs(pca.explainedVariance[0] / 25 - 1) < 0.1)
  #expect(abs(pca.explainedVariance[1] / 1 - 1) < 0.1)
  #expect(abs(pca.explainedVariance[2] / 0.01 - 1) < 0.1)
  #expect(abs(pca.explainedVarianceRatio.reduce(0, +) - 1) < 1e-4)
}

@Test func covarianceMatchesADirectComputationWhateverTheChunking() {
  let x = correlatedData(50, 6, seed: 2)
  let (n, d) = (50, 6)
  var mean = [Double](repeating: 0, count: d)
  for i in 0..<n { for j in 0..<d { mean[j] += Double(x[i, j]) / Double(n) } }
  for chunk in [1, 7, 50, 1000] {
    let (m, c) = PCA.meanAndCovariance(x, rowsPerChunk: chunk)
    for j in 0..<d { #expect(abs(m[j] - mean[j]) < 1e-6) }
    for a in 0..<d {
      for b in 0..<d {
        var direct = 0.0
        for i in 0..<n {
          direct += (Double(x[i, a]) - mean[a]) * (Double(x[i, b]) - mean[b])
        }
        direct /= Double(n - 1)
        #expect(abs(c[a * d + b] - direct) < 1e-6, "chunk \(chunk), C[\(a), \(b)]")
      }
    }
  }
}

@Test func componentsAreOrthonormalAndShapesFit() {
  let x = correlatedData(300, 20, seed: 3)
  let pca = PCA.fit(x, components: 5)
  #expect(pca.mean.shape == [20])
  #expect(pca.components.shape == [5, 20])
  #expect(pca.explainedVariance.count == 5)
  let gram = Tensor.matmul(pca.components, pca.components, transposeB: true)  // (5, 5)
  #expect(Tensor.maxAbsDifference(gram, identity(5)) < 1e-5)
  let z = pca.encode(x)
  #expect(z.shape == [300, 5])
  #expect(pca.decode(z).shape == [300, 20])
  // The codes are uncorrelated with variances equal to the explained variances.
  let (_, codeCovariance) = PCA.meanAndCovariance(z)
  for a in 0..<5 {
    for b in 0..<5 {
      let expected = a == b ? Double(pca.explainedVariance[a]) : 0
      #expect(abs(codeCovariance[a * 5 + b] - expected) < 1e-4 * Double(pca.totalVariance))
    }
  }
}

@Test func fullRankReconstructionIsExact() {
  let x = correlatedData(200, 12, seed: 4)
  let pca = PCA.fit(x, components: 12)
  #expect(pca.reconstructionMSE(x) < 1e-10)
  #expect(abs(pca.explainedVarianceRatio.reduce(0, +) - 1) < 1e-5)
}

@Test func reconstructionErrorFallsAsComponentsAreAddedAndMatchesTheDroppedVariance() {
  let (n, d) = (500, 16)
  let x = correlatedData(n, d, seed: 5)
  let full = PCA.fit(x, components: d)
  var previous = Float.infinity
  for k in 1...d {
    let pca = PCA.fit(x, components: k)
    let mse = pca.reconstructionMSE(x, rowsPerChunk: 128)
    #expect(mse <= previous * (1 + 1e-5) + 1e-9, "k = \(k)")
    previous = mse
    // Mean squared error per element = (variance left out) · (n − 1) / (n · d).
    let dropped = full.explainedVariance[k...].reduce(0, +)
    let predicted = dropped * Float(n - 1) / Float(n * d)
    #expect(abs(mse - predicted) <= 1e-3 * predicted + 1e-9, "k = \(k): \(mse) vs \(predicted)")
  }
}

@Test func singleSampleAndConstantDataHaveZeroVariance() {
  let one = Tensor(shape: [1, 4], scalars: [1, 2, 3, 4])
  let pca = PCA.fit(one, components: 2)
  #expect(pca.explainedVariance == [0, 0])
  #expect(pca.mean.scalars == [1, 2, 3, 4])
  #expect(pca.reconstructionMSE(one) == 0)
  #expect(pca.explainedVarianceRatio == [0, 0])
}

private func identity(_ n: Int) -> Tensor {
  Tensor(shape: [n, n], scalars: (0..<(n * n)).map { $0 % (n + 1) == 0 ? 1 : 0 })
}

@Test func fittingChunkByChunkGivesTheSameBitsAsOneTensor() {
  let (n, d) = (1000, 20)
  let x = correlatedData(n, d, seed: 6)
  let whole = PCA.fit(x, components: 6, rowsPerChunk: 128)
  var asked: [Range<Int>] = []
  let chunked = PCA.fit(rowCount: n, dimension: d, components: 6, rowsPerChunk: 128) { range in
    asked.append(range)
    return x.rows(range)
  }
  #expect(chunked.mean.scalars.map(\.bitPattern) == whole.mean.scalars.map(\.bitPattern))
  #expect(
    chunked.components.scalars.map(\.bitPattern) == whole.components.scalars.map(\.bitPattern))
  #expect(chunked.explainedVariance == whole.explainedVariance)
  #expect(chunked.totalVariance == whole.totalVariance)
  // Each chunk is read twice (mean, then covariance), never all rows at once; the last is short.
  #expect(asked.count == 2 * 8 && asked.allSatisfy { $0.count <= 128 })
  #expect(asked.last == 896..<1000)
}

@Test func truncatingIsTheSameAsFittingFewerComponents() {
  let x = correlatedData(400, 12, seed: 7)
  let five = PCA.fit(x, components: 5)
  let two = five.truncated(to: 2)
  let fitted = PCA.fit(x, components: 2)
  #expect(two.components.shape == [2, 12])
  #expect(two.components.scalars.map(\.bitPattern) == fitted.components.scalars.map(\.bitPattern))
  #expect(two.explainedVariance == fitted.explainedVariance)
  #expect(two.explainedVarianceRatio == fitted.explainedVarianceRatio)
  #expect(two.reconstructionMSE(x) == fitted.reconstructionMSE(x))
}
