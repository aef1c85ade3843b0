import Bottleneck
import Foundation

/// Codes laid out on a side × side grid for decoding a 2-D latent space: row r, column c gets
/// (Φ⁻¹(p_c), Φ⁻¹(p_(side−1−r))) with p_i = (i + ½)/side, so that every cell holds the same
/// share of the N(0, I) prior's mass and z₂ grows upwards, as on the scatter plot.
func priorQuantileGrid(side: Int) -> Tensor {
  let q = (0..<side).map { inverseNormalCDF((Double($0) + 0.5) / Double(side)) }
  return quantileGrid(side: side, x: q, y: q)
}

/// The same layout at the empirical quantiles of each column of `codes` (n, 2): for a model
/// with no prior (chapter 1's autoencoder) the grid spans where its codes lie, by the same rule.
func empiricalQuantileGrid(_ codes: Tensor, side: Int) -> Tensor {
  let n = codes.shape[0]
  let axes = (0..<2).map { axis -> [Double] in
    let sorted = (0..<n).map { Double(codes.scalars[$0 * 2 + axis]) }.sorted()
    return (0..<side).map { sorted[min(n - 1, Int((Double($0) + 0.5) / Double(side) * Double(n)))] }
  }
  return quantileGrid(side: side, x: axes[0], y: axes[1])
}

private func quantileGrid(side: Int, x: [Double], y: [Double]) -> Tensor {
  var scalars: [Float] = []
  for r in 0..<side {
    for c in 0..<side { scalars += [Float(x[c]), Float(y[side - 1 - r])] }
  }
  return Tensor(shape: [side * side, 2], scalars: scalars)
}

/// The share of a side × side grid's cells that hold at least one of the points (n, 2), where
/// the cells are equal-count slices of each coordinate (its ranks): a cloud that fills its region
/// evenly occupies nearly all, one with holes and empty gaps between clusters far fewer.
func occupiedCellShare(_ points: Tensor, side: Int) -> Double {
  let n = points.shape[0]
  let cellOf = (0..<2).map { axis -> [Int] in
    let order = (0..<n).sorted { points.scalars[$0 * 2 + axis] < points.scalars[$1 * 2 + axis] }
    var cell = [Int](repeating: 0, count: n)
    for (rank, i) in order.enumerated() { cell[i] = rank * side / n }
    return cell
  }
  let occupied = Set((0..<n).map { cellOf[0][$0] * side + cellOf[1][$0] })
  return Double(occupied.count) / Double(side * side)
}

/// `steps` points on the straight line from a to b (rows of the same shape), ends included.
func linePath(from a: Tensor, to b: Tensor, steps: Int) -> Tensor {
  let rows = (0..<steps).map { s -> Tensor in
    let t = Float(s) / Float(steps - 1)
    return a * (1 - t) + b * t
  }
  return Tensor.concat(rows, axis: 0)
}
