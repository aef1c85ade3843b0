import TensorCore

// Measures of how sparse a code is, for the chapter's reports (plain tensors, no graph). `codes`
// is (n, units): the codes of n images, one row each. Sparsity has two sides, and a code can have
// one without the other: each image can use few units (population sparsity) while the same few
// units do all the work for every image and the rest never fire (dead units, a bad lifetime
// distribution). The chapter reports both.

/// Population sparsity: how many units one image uses. For each image, the fraction of its units
/// that are "near zero" (|h| ≤ threshold); the mean of that fraction over the n images. 0 means
/// every image uses every unit; 0.95 means a typical image leaves 95% of the code silent.
public func populationSparsity(_ codes: Tensor, threshold: Float = 1e-2) -> Double {
  let (n, units) = codeShape("populationSparsity", codes)
  let h = codes.scalars
  var nearZero = 0
  for i in 0..<(n * units) where Swift.abs(h[i]) <= threshold { nearZero += 1 }
  // Every image has the same number of units, so the mean of the per-image fractions is the
  // overall fraction.
  return Double(nearZero) / Double(n * units)
}

/// Lifetime activation: how often (and how strongly) one unit fires. Each unit's mean activation
/// over the n images, one value per unit. For a sigmoid code trained with the KL penalty this is
/// the ρ̂_j the penalty drives towards ρ, measured on a whole set rather than one batch.
public func lifetimeActivation(_ codes: Tensor) -> [Double] {
  let (n, units) = codeShape("lifetimeActivation", codes)
  let h = codes.scalars
  var sums = [Double](repeating: 0, count: units)
  for i in 0..<n {
    for j in 0..<units { sums[j] += Double(h[i * units + j]) }
  }
  return sums.map { $0 / Double(n) }
}

/// Dead units: how many units never fire, i.e. are near zero (|h| ≤ threshold) on every one of
/// the n images. A dead unit costs parameters and contributes nothing to any reconstruction; a
/// strong penalty (or top-k with a small k) can kill many of them.
public func deadUnits(_ codes: Tensor, threshold: Float = 1e-2) -> Int {
  let (n, units) = codeShape("deadUnits", codes)
  let h = codes.scalars
  var alive = [Bool](repeating: false, count: units)
  for i in 0..<n {
    for j in 0..<units where Swift.abs(h[i * units + j]) > threshold { alive[j] = true }
  }
  return alive.filter { !$0 }.count
}

/// The fraction of `values` within ±relative·|target| of `target` (bounds included), e.g. the
/// fraction of units whose lifetime activation is within 25% of ρ:
/// `fractionWithin(lifetimeActivation(codes), relative: 0.25, of: rho)`. It says whether the KL
/// penalty met its target for most units, or only on average (a mean of ρ̂ equal to ρ can hide
/// half the units at 0 and half at 2ρ).
public func fractionWithin(_ values: [Double], relative: Double, of target: Double) -> Double {
  check(!values.isEmpty, "fractionWithin: no values")
  check(relative >= 0, "fractionWithin: relative must be ≥ 0, not \(relative)")
  let tolerance = relative * Swift.abs(target)
  let inside = values.filter { Swift.abs($0 - target) <= tolerance }.count
  return Double(inside) / Double(values.count)
}

/// Checks that `codes` is (n, units) with at least one row and one unit; returns them.
private func codeShape(_ op: String, _ codes: Tensor) -> (n: Int, units: Int) {
  check(codes.rank == 2, "\(op): codes must have shape (n, units), not \(codes.shape)")
  check(
    codes.shape[0] > 0 && codes.shape[1] > 0,
    "\(op): codes \(codes.shape) hold no rows or no units")
  return (codes.shape[0], codes.shape[1])
}
