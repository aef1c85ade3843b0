import Autodiff
import Foundation
import TensorCore

// Sparsity: the ways chapter 3 makes a wide code use few of its units for each image. Each is a
// graph op with its gradient written next to it, like the losses in Losses.swift. In all three
// `h` is a code of shape (batch, units): one row per image, one column per hidden unit.
//
// References: A. Ng, "Sparse autoencoder", CS294A lecture notes (the L1 and KL penalties);
// A. Makhzani and B. Frey, "k-Sparse Autoencoders", ICLR 2014 (top-k).

/// The L1 penalty, summed over units and averaged over the batch:
///   P(h) = (1/B) Σ_b Σ_j |h_bj|,  h of shape (batch B, units).
/// The chapter adds λ·P to the reconstruction loss; |h| grows linearly however small h is, so,
/// unlike a squared penalty, it keeps pushing small activations all the way to zero.
///
/// Gradient: ∂|x|/∂x = sign(x) for x ≠ 0, so ∂P/∂h_bj = sign(h_bj)/B. |x| has no derivative at 0;
/// we use 0 there (the subgradient that leaves an exact zero where it is).
public func l1Penalty(_ h: Variable) -> Variable {
  let batch = sparsityShape("l1Penalty", h.value).batch
  let x = h.value
  var total = 0.0
  for v in x.scalars { total += Double(Swift.abs(v)) }
  let n = Float(batch)
  return Variable.record(Tensor(Float(total / Double(batch))), name: "l1Penalty", inputs: [h]) {
    g in
    let scale = g.scalar / n
    var grad = x
    for i in 0..<grad.count {
      let v = grad.scalars[i]
      grad.scalars[i] = v > 0 ? scale : (v < 0 ? -scale : 0)
    }
    return [grad]
  }
}

/// The KL-divergence sparsity penalty of Ng's notes. `h` is a sigmoid code, every entry in (0, 1),
/// of shape (batch B, units); `rho` (ρ, in (0, 1)) is the target average activation, e.g. 0.05.
///
/// Each unit's average activation over the batch, ρ̂_j = (1/B) Σ_b h_bj, is read as the mean of a
/// Bernoulli variable, and the penalty is the KL divergence from Bernoulli(ρ) to Bernoulli(ρ̂_j),
/// summed over units:
///   P(h) = Σ_j [ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j))].
/// It is 0 exactly when every ρ̂_j = ρ, positive otherwise, and grows without bound as ρ̂_j → 0 or 1.
/// The chapter adds β·P to the reconstruction loss. Unlike L1 it constrains how often a unit fires
/// (its lifetime average), not how large each activation is.
///
/// Gradient: only the −ρ log ρ̂_j − (1 − ρ) log(1 − ρ̂_j) part depends on h, so
///   ∂P/∂ρ̂_j = −ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j),  and ∂ρ̂_j/∂h_bj = 1/B, hence
///   ∂P/∂h_bj = (1/B)(−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)),  the same for every row b of column j.
///
/// Clamping: a unit whose ρ̂_j is 0 or 1 (a dead or saturated unit; in Float a sigmoid rounds to
/// exactly 1 beyond about 17) would make a log infinite. ρ̂ is clamped to [1e-6, 1 − 1e-6] before
/// the logs and the gradient. The gradient uses the clamped ρ̂ but is not zeroed where the clamp is
/// active: a dead unit still gets a large finite push back towards ρ, which is what the penalty is
/// for. Inside the clamp (every code the chapter trains) this is the exact gradient. The means and
/// the sum over units are computed in Double.
public func klSparsityPenalty(_ h: Variable, rho: Float) -> Variable {
  let (batch, units) = sparsityShape("klSparsityPenalty", h.value)
  check(rho > 0 && rho < 1, "klSparsityPenalty: rho must be in (0, 1), not \(rho)")
  let r = Double(rho)
  let x = h.value.scalars
  var mean = [Double](repeating: 0, count: units)
  for b in 0..<batch {
    for j in 0..<units { mean[j] += Double(x[b * units + j]) }
  }
  let lowest = 1e-6
  var total = 0.0
  var dMean = [Double](repeating: 0, count: units)  // ∂P/∂ρ̂_j
  for j in 0..<units {
    let m = Swift.min(Swift.max(mean[j] / Double(batch), lowest), 1 - lowest)
    total += r * Foundation.log(r / m) + (1 - r) * Foundation.log((1 - r) / (1 - m))
    dMean[j] = -r / m + (1 - r) / (1 - m)
  }
  let shape = h.shape
  return Variable.record(Tensor(Float(total)), name: "klSparsityPenalty", inputs: [h]) { g in
    let scale = Double(g.scalar) / Double(batch)
    let column = dMean.map { Float($0 * scale) }
    var grad = [Float](repeating: 0, count: batch * units)
    for b in 0..<batch {
      for j in 0..<units { grad[b * units + j] = column[j] }
    }
    return [Tensor(shape: shape, scalars: grad)]
  }
}

/// The k-sparse code of Makhzani & Frey: in each row of `h` (batch, units) keep the k largest
/// values and set the other units − k to zero. The output has the shape of `h`.
///
/// Ties: when several entries equal the k-th largest value, the ones with the lower column index
/// are kept, so the result is deterministic (a row of all zeros keeps columns 0..<k, which changes
/// nothing in the value but decides where the gradient flows). A NaN counts as smaller than every
/// number. 1 ≤ k ≤ units; k = units is the identity.
///
/// Gradient: per row, y = h on the kept set S and 0 elsewhere, and S does not change under a small
/// enough change of h (away from ties), so ∂y_bj/∂h_bj = 1 for j ∈ S and 0 otherwise:
///   ∂h = g ⊙ mask,  mask_bj = [j ∈ S_b].
/// Only the k winners of each row learn from an image, as in the paper.
///
/// Cost: the k-th largest value of each row is found by a radix select (below), a few passes over
/// the row that count instead of compare, so no full sort and no data-dependent branches; then one
/// pass keeps the entries above it and the first of those equal to it. A (128, 1024) batch takes
/// 0.8-1.2 ms forward (1.3-1.8 ms with the backward pass) on one core of a 2-core AVX2 EPYC, for
/// k from 25 to 512 (a quickselect, whose comparisons the branch predictor cannot guess, took
/// 1.6-3.6 ms).
public func topK(_ h: Variable, k: Int) -> Variable {
  let (batch, units) = sparsityShape("topK", h.value)
  check(
    k >= 1 && k <= units, "topK: k must be in 1...\(units) (the units of h \(h.shape)), not \(k)")
  let x = h.value
  var output = [Float](repeating: 0, count: x.count)
  var mask = [Float](repeating: 0, count: x.count)
  var keys = [UInt32](repeating: 0, count: units)
  var candidates = [UInt32](repeating: 0, count: units)
  var histogram = [Int](repeating: 0, count: 256)
  // Raw buffers throughout: the per-element loops stay free of bounds checks and closure boxes.
  x.scalars.withUnsafeBufferPointer { source in
    output.withUnsafeMutableBufferPointer { out in
      mask.withUnsafeMutableBufferPointer { kept in
        keys.withUnsafeMutableBufferPointer { key in
          candidates.withUnsafeMutableBufferPointer { scratch in
            histogram.withUnsafeMutableBufferPointer { counts in
              for b in 0..<batch {
                let row = source.baseAddress! + b * units
                let yRow = out.baseAddress! + b * units
                let maskRow = kept.baseAddress! + b * units
                for j in 0..<units { key[j] = sortableKey(row[j]) }
                var (threshold, equalToKeep) = kthLargestKey(
                  key, k: k, candidates: scratch, histogram: counts)
                // Keep every key above the threshold, and the first `equalToKeep` equal to it.
                for j in 0..<units {
                  let above = key[j] > threshold
                  let equal = key[j] == threshold && equalToKeep > 0
                  if equal { equalToKeep -= 1 }
                  let keep = above || equal
                  yRow[j] = keep ? row[j] : 0
                  maskRow[j] = keep ? 1 : 0
                }
              }
            }
          }
        }
      }
    }
  }
  let maskTensor = Tensor(shape: x.shape, scalars: mask)
  return Variable.record(Tensor(shape: x.shape, scalars: output), name: "topK", inputs: [h]) { g in
    [g * maskTensor]
  }
}

/// A UInt32 that orders like the Float: for v ≥ 0 set the sign bit, for v < 0 flip every bit (a
/// negative float's bits grow as it falls). −0 is first made +0, so that it ties with 0, and NaN
/// maps to 0, below every number (−∞ maps to 0x007F_FFFF).
@inline(__always) private func sortableKey(_ v: Float) -> UInt32 {
  let bits = (v == 0 ? Float(0) : v).bitPattern
  let key = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
  return v.isNaN ? 0 : key
}

/// The k-th largest of `keys` (1-based k), by radix select, and how many of the keys equal to it
/// belong to the k largest (the rest of the k are above it).
///
/// One byte at a time from the top: count the candidates' values of that byte (256 buckets), walk
/// the buckets from the top until the k-th largest is reached, which fixes that byte of the answer,
/// and keep only the candidates with that byte. Four passes fix all 32 bits; each later pass sees
/// only the candidates that share the bytes fixed so far (about units/256 for spread-out values).
/// A row's many exact zeros (a ReLU code) fall in one bucket: when every candidate left is the same
/// key, the search stops there.
private func kthLargestKey(
  _ keys: UnsafeMutableBufferPointer<UInt32>, k: Int,
  candidates: UnsafeMutableBufferPointer<UInt32>, histogram: UnsafeMutableBufferPointer<Int>
) -> (key: UInt32, equalToKeep: Int) {
  var remaining = k  // the rank of the answer among the candidates, from the top
  var prefix: UInt32 = 0
  var source = UnsafePointer(keys.baseAddress!)
  let scratch = candidates.baseAddress!
  var count = keys.count
  for shift: UInt32 in [24, 16, 8, 0] {
    histogram.update(repeating: 0)
    for i in 0..<count { histogram[Int((source[i] &>> shift) & 0xFF)] &+= 1 }
    var bucket = 255
    while histogram[bucket] < remaining {
      remaining -= histogram[bucket]
      bucket -= 1
    }
    prefix |= UInt32(bucket) << shift
    if shift == 0 { break }
    // Keep the candidates whose byte is `bucket` (they already share the higher bytes), compacted
    // without a branch; in place from the second pass on (the write index never passes the read).
    var kept = 0
    var low = UInt32.max
    var high = UInt32.min
    for i in 0..<count {
      let c = source[i]
      scratch[kept] = c
      let match = (c &>> shift) & 0xFF == UInt32(bucket)
      kept &+= match ? 1 : 0
      low = Swift.min(low, match ? c : .max)
      high = Swift.max(high, match ? c : .min)
    }
    count = kept
    source = UnsafePointer(scratch)
    if low == high { return (low, remaining) }
  }
  return (prefix, remaining)
}

/// Checks that `h` is (batch, units) with at least one row and one unit; returns them.
private func sparsityShape(_ op: String, _ h: Tensor) -> (batch: Int, units: Int) {
  check(h.rank == 2, "\(op): h must have shape (batch, units), not \(h.shape)")
  check(h.shape[0] > 0 && h.shape[1] > 0, "\(op): h \(h.shape) holds no rows or no units")
  return (h.shape[0], h.shape[1])
}
