import Bottleneck

/// Chapter 3's model: chapter 1's overcomplete shape, 784 → 1024 → 784, with the code's
/// nonlinearity chosen by the kind of sparsity: ReLU for the dense and L1 models, a sigmoid for
/// KL-ρ (ρ̂ is a mean of values in (0, 1)), and for k-sparse a linear code of which only the k
/// largest numbers per image survive (Makhzani & Frey 2014).
struct SparseAutoencoder: Module {
  enum Code: Equatable {
    case relu
    case sigmoid
    case topK(Int)
  }

  let encoder: Linear
  let decoder: Linear
  let code: Code

  init(code: Code, width: Int = 1024, rng: inout RandomGenerator) {
    // Xavier for a sigmoid code (its slope is 1/4 at 0), Kaiming for the rest.
    encoder = Linear(784, width, init: code == .sigmoid ? .xavier : .kaiming, rng: &rng)
    decoder = Linear(width, 784, init: .xavier, rng: &rng)
    self.code = code
  }

  /// h = the code of each image: x is (batch, 784), h is (batch, 1024). `keep` overrides a
  /// k-sparse code's k (the training schedule below).
  func encode(_ x: Variable, keep: Int? = nil) -> Variable {
    let z = encoder(x)
    switch code {
    case .relu: return z.relu()
    case .sigmoid: return z.sigmoid()
    case .topK(let k): return topK(z, k: keep ?? k)
    }
  }

  /// Makhzani & Frey's schedule for k-sparse training: start with 4k units per image and come
  /// down linearly to k over the first half of training. With k from the first step, the units
  /// that lose the first few competitions never win one again and never learn (most of the 1024
  /// die); starting wide gives every unit some gradient first.
  func scheduledK(step: Int, totalSteps: Int) -> Int? {
    guard case .topK(let k) = code else { return nil }
    let start = min(4 * k, encoder.outFeatures)
    let progress = min(1, Double(step) / Double(max(1, totalSteps / 2)))
    return Int((Double(start) - Double(start - k) * progress).rounded())
  }

  /// x̂ = sigmoid(W_d h + b_d), (batch, 784).
  func decode(_ h: Variable) -> Variable { decoder(h).sigmoid() }

  func callAsFunction(_ x: Variable) -> Variable { decode(encode(x)) }

  var namedParameters: [(name: String, variable: Variable)] {
    encoder.namedParameters(prefix: "encoder") + decoder.namedParameters(prefix: "decoder")
  }
}

/// What is added to the reconstruction loss to make the code sparse.
enum Penalty {
  case none
  /// λ · (1/B) Σ_b Σ_j |h_bj|
  case l1(lambda: Float)
  /// β · Σ_j KL(ρ ‖ ρ̂_j)
  case kl(beta: Float, rho: Float)

  /// The penalty's value on a batch of codes, already weighted.
  func value(_ h: Variable) -> Variable? {
    switch self {
    case .none: return nil
    case .l1(let lambda): return l1Penalty(h) * lambda
    case .kl(let beta, let rho): return klSparsityPenalty(h, rho: rho) * beta
    }
  }
}

/// One model of the chapter: its metrics.json key, its name, its code and its penalty.
struct Variant {
  let key: String
  let title: String
  let code: SparseAutoencoder.Code
  let penalty: Penalty
}

/// What the chapter measures about a trained model's code on the test set.
struct CodeReport {
  let testMSE: Double
  /// Mean fraction of units with |h| ≤ 0.01 per image.
  let populationSparsity: Double
  /// Each unit's mean activation over the test images.
  let lifetime: [Double]
  /// Units with |h| ≤ 0.01 on every test image.
  let deadUnits: Int

  init(_ model: SparseAutoencoder, test: ImageDataset) {
    let codes = test.map { model.encode($0) }  // (10000, 1024)
    testMSE = test.reconstructionMSE { model($0) }
    populationSparsity = Bottleneck.populationSparsity(codes)
    lifetime = lifetimeActivation(codes)
    deadUnits = Bottleneck.deadUnits(codes)
  }
}
