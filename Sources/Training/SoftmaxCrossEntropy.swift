import Autodiff
import Foundation
import TensorCore

// Classification: a network ends in one score ("logit") per class, softmax turns the scores of a
// row into probabilities, and the loss is the negative log-probability of the right class. The
// loss is one graph op, with its gradient written next to it, like the losses in Losses.swift.

/// Softmax cross-entropy, averaged over the batch. `logits` is (batch, classes); `labels` holds one
/// class index per row, each in 0..<classes.
///
/// For a row z with label y, softmax(z)_k = e^(z_k) / Σ_j e^(z_j), and the row's loss is
///   −log softmax(z)_y = log Σ_j e^(z_j) − z_y,
/// so L = (1/B) Σ_rows (log Σ_j e^(z_j) − z_y) over a batch of B rows.
///
/// The log-sum-exp trick: e^1000 overflows (Float's largest value is about e^88.7, Double's about
/// e^709), and e^(−1000) rounds to 0, so log Σ_j e^(z_j) computed as written gives inf or −inf for
/// large logits. Subtracting the row's largest logit m changes nothing mathematically,
///   log Σ_j e^(z_j) = m + log Σ_j e^(z_j − m),
/// and afterwards every exponent is ≤ 0 and one of them is exactly 0, so the sum lies in [1, C]:
/// it can neither overflow nor become 0 (whose log is −∞). The same shift makes softmax stable.
///
/// Gradient, one row (p = softmax(z), [k = y] is 1 for the label's column and 0 elsewhere):
///   ∂/∂z_k (log Σ_j e^(z_j)) = e^(z_k) / Σ_j e^(z_j) = p_k,  and  ∂/∂z_k (−z_y) = −[k = y],
///   so ∂L/∂z_k = (p_k − onehot(y)_k) / B, the 1/B coming from the mean over the batch.
/// The labels get no gradient (they are integers). A NaN or infinite logit can make the loss NaN or
/// infinite, which `ensureFinite` reports.
public func softmaxCrossEntropy(logits: Variable, labels: [Int]) -> Variable {
  let (batch, classes) = classificationShape(
    "softmaxCrossEntropy", logits: logits.value, labels: labels)
  let rows = stableSoftmaxRows(logits.value)
  // The loss, accumulated in Double: per row, log Σ_j e^(z_j − m) − (z_y − m). Written this way
  // (rather than m + log Σ − z_y) equal logits give exactly log C.
  let z = logits.value.scalars
  var total = 0.0
  for r in 0..<batch {
    let shiftedLabelLogit = Double(z[r * classes + labels[r]]) - rows.maxima[r]
    total += rows.logSums[r] - shiftedLabelLogit
  }
  let n = Float(batch)
  let probabilities = rows.probabilities
  return Variable.record(
    Tensor(Float(total / Double(batch))), name: "softmaxCrossEntropy", inputs: [logits]
  ) { g in
    // ∂z = g · (softmax(z) − onehot(y)) / B.
    var grad = probabilities
    for r in 0..<batch { grad.scalars[r * classes + labels[r]] -= 1 }
    return [grad * (g.scalar / n)]
  }
}

/// The fraction of rows (0...1) whose largest logit is at the row's label. When several logits
/// tie for the largest, the lowest class index wins; a NaN logit never wins over a number.
/// `logits` is (batch, classes), `labels` one class index per row.
public func accuracy(logits: Tensor, labels: [Int]) -> Double {
  let (batch, classes) = classificationShape("accuracy", logits: logits, labels: labels)
  let z = logits.scalars
  var correct = 0
  for r in 0..<batch {
    var best = 0
    var bestValue = z[r * classes]
    for k in 1..<classes {
      let v = z[r * classes + k]
      // Strictly greater: a tie keeps the earlier (lower) index.
      if v > bestValue || (bestValue.isNaN && !v.isNaN) {
        best = k
        bestValue = v
      }
    }
    if best == labels[r] { correct += 1 }
  }
  return Double(correct) / Double(batch)
}

/// Softmax of each row of a (batch, classes) tensor: p_k = e^(z_k − m) / Σ_j e^(z_j − m), with m
/// the row's largest logit (the shift that keeps e^x finite; see `softmaxCrossEntropy`). Every row
/// of the result is in [0, 1] and sums to 1 (up to Float rounding).
public func softmax(_ logits: Tensor) -> Tensor {
  check(
    logits.rank == 2,
    "softmax: logits must have shape (batch, classes), not \(logits.shape)")
  return stableSoftmaxRows(logits).probabilities
}

/// Checks that `logits` is (batch, classes) with at least one row and one class, and that `labels`
/// has one valid class index per row. Returns (batch, classes).
private func classificationShape(_ op: String, logits: Tensor, labels: [Int]) -> (Int, Int) {
  check(
    logits.rank == 2,
    "\(op): logits must have shape (batch, classes), not \(logits.shape)")
  let batch = logits.shape[0]
  let classes = logits.shape[1]
  check(batch > 0 && classes > 0, "\(op): logits \(logits.shape) hold no rows or no classes")
  check(
    labels.count == batch,
    "\(op): \(labels.count) labels for a batch of \(batch) rows (logits \(logits.shape))")
  for (row, label) in labels.enumerated() {
    check(
      label >= 0 && label < classes,
      "\(op): label \(label) in row \(row) is not a class index in 0..<\(classes)")
  }
  return (batch, classes)
}

/// Row by row: the largest logit m, log Σ_j e^(z_j − m) (in Double), and the probabilities
/// e^(z_k − m) / Σ_j e^(z_j − m) as a tensor of the logits' shape.
private func stableSoftmaxRows(_ logits: Tensor) -> (
  maxima: [Double], logSums: [Double], probabilities: Tensor
) {
  let batch = logits.shape[0]
  let classes = logits.shape[1]
  let z = logits.scalars
  var maxima = [Double](repeating: 0, count: batch)
  var logSums = [Double](repeating: 0, count: batch)
  var p = [Float](repeating: 0, count: z.count)
  var exponentials = [Double](repeating: 0, count: classes)
  for r in 0..<batch {
    let row = z[(r * classes)..<((r + 1) * classes)]
    let m = Double(row.max() ?? 0)
    var sum = 0.0
    for (k, value) in row.enumerated() {
      exponentials[k] = Foundation.exp(Double(value) - m)
      sum += exponentials[k]
    }
    for k in 0..<classes { p[r * classes + k] = Float(exponentials[k] / sum) }
    maxima[r] = m
    logSums[r] = Foundation.log(sum)
  }
  return (maxima, logSums, Tensor(shape: logits.shape, scalars: p))
}
