import Autodiff
import Foundation
import Kernels
import Testing

@testable import TensorCore
@testable import Training

private func loss(_ logits: [[Float]], _ labels: [Int]) -> Float {
  let z = Tensor(shape: [logits.count, logits[0].count], scalars: logits.flatMap { $0 })
  return softmaxCrossEntropy(logits: Variable(z), labels: labels).value.scalar
}

/// ∂loss/∂logits from one backward pass.
private func gradient(_ logits: Tensor, _ labels: [Int]) -> Tensor {
  let z = Variable(logits, requiresGrad: true)
  softmaxCrossEntropy(logits: z, labels: labels).backward()
  return z.grad!
}

private func close(_ a: [Float], _ b: [Float], _ tolerance: Float) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

@Suite("Softmax cross-entropy: values, stability and finite-difference gradients")
struct SoftmaxCrossEntropyTests {
  @Test(arguments: ["naive", "tiled"]) func gradientOfRandomLogits(kernels: String) throws {
    let set = try Kernels.named(kernels)
    let labels = [2, 0, 4, 4, 1, 3]
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [random([6, 5], seed: 21, low: -3, high: 3)]) { v in
        // Times 3, so the rule must use the upstream gradient and not assume it is 1.
        softmaxCrossEntropy(logits: v[0], labels: labels) * 3
      }
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test(arguments: ["naive", "tiled"]) func gradientThroughALinearLayer(kernels: String) throws {
    // Logits from x·Wᵀ + b, so the kernel set's GEMM takes part, as in a classifier.
    let set = try Kernels.named(kernels)
    let labels = [1, 0, 2, 2]
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [
        random([4, 7], seed: 22), random([3, 7], seed: 23), random([3], seed: 24),
      ]) { v in
        let logits = Variable.matmul(v[0], v[1], transposeB: true) + v[2]
        return softmaxCrossEntropy(logits: logits, labels: labels)
      }
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test func uniformLogitsGiveLogOfTheClassCount() {
    // Equal logits: every class has probability 1/C, so every row's loss is −log(1/C) = log C.
    for classes in [1, 2, 3, 10, 1000] {
      for value: Float in [0, 5, -17.25] {
        let z = Tensor(repeating: value, shape: [3, classes])
        let l = softmaxCrossEntropy(logits: Variable(z), labels: [0, classes / 2, classes - 1])
        #expect(l.value.scalar == Float(Foundation.log(Double(classes))), "C = \(classes)")
      }
    }
  }

  @Test func handComputedTwoByThree() {
    // Row 1: z = (1, 2, 3), label 2: log(e¹ + e² + e³) − 3 = log(1 + e⁻¹ + e⁻²) = 0.40760596.
    // Row 2: z = (1, 0, −1), label 1: log(e¹ + e⁰ + e⁻¹) − 0 = 1 + 0.40760596.
    // Mean: 0.90760596.
    let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1, 0, -1])
    let labels = [2, 1]
    #expect(Swift.abs(loss([[1, 2, 3], [1, 0, -1]], labels) - 0.90760596) < 1e-6)
    // softmax(1, 2, 3) = (0.09003057, 0.24472847, 0.66524096); row 2 is the same reversed.
    let p = softmax(logits)
    #expect(
      close(
        p.scalars, [0.09003057, 0.24472847, 0.66524096, 0.66524096, 0.24472847, 0.09003057], 1e-6))
    // ∂z = (p − onehot) / 2.
    let expected: [Float] = [
      0.09003057 / 2, 0.24472847 / 2, (0.66524096 - 1) / 2,
      0.66524096 / 2, (0.24472847 - 1) / 2, 0.09003057 / 2,
    ]
    let g = gradient(logits, labels)
    #expect(g.shape == [2, 3])
    #expect(close(g.scalars, expected, 1e-6), "\(g.scalars)")
  }

  @Test func hugeLogitsGiveAFiniteAndCorrectLoss() {
    // e^1000 overflows even in Double; with the row maximum subtracted nothing does.
    // Row 1: the label has the big logit: loss log(1 + e⁻²⁰⁰⁰) = 0.
    // Row 2: the label has the small one: loss 1000 − (−1000) = 2000. Mean: 1000.
    let l = loss([[1000, -1000], [-1000, 1000]], [0, 0])
    #expect(l.isFinite)
    #expect(l == 1000)
    // Two equal huge logits: log 2 each row, whatever their size and sign.
    #expect(Swift.abs(loss([[1000, 1000], [-1000, -1000]], [0, 1]) - Float(M_LN2)) < 1e-6)
    // The gradient stays finite too: softmax of row 2 is (0, 1).
    let g = gradient(Tensor(shape: [2, 2], scalars: [1000, -1000, -1000, 1000]), [0, 0])
    #expect(g.isFinite)
    #expect(g.scalars == [0, 0, -0.5, 0.5])
    let p = softmax(Tensor(shape: [1, 3], scalars: [1000, 999, -1000]))
    #expect(p.isFinite)
    #expect(close(p.scalars, [0.7310586, 0.2689414, 0], 1e-6))
  }

  @Test func addingAConstantToARowChangesNothing() {
    // softmax(z + c) = e^c e^z / (e^c Σ e^z) = softmax(z): loss, softmax and gradient are the same.
    let z = random([3, 4], seed: 25, low: -2, high: 2)
    let shifts: [Float] = [50, -30, 7.5]
    var shifted = z
    for r in 0..<3 {
      for k in 0..<4 { shifted.scalars[r * 4 + k] += shifts[r] }
    }
    let labels = [3, 0, 1]
    let a = softmaxCrossEntropy(logits: Variable(z), labels: labels).value.scalar
    let b = softmaxCrossEntropy(logits: Variable(shifted), labels: labels).value.scalar
    #expect(Swift.abs(a - b) < 1e-5, "\(a) against \(b)")
    #expect(close(softmax(z).scalars, softmax(shifted).scalars, 1e-5))
    #expect(close(gradient(z, labels).scalars, gradient(shifted, labels).scalars, 1e-5))
  }

  @Test func softmaxRowsSumToOne() {
    var z = random([8, 10], seed: 26, low: -20, high: 20)
    z.scalars[0] = 1000  // one huge logit: its row becomes (1, 0, 0, ...)
    let p = softmax(z)
    #expect(p.shape == [8, 10])
    #expect(p.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    for r in 0..<8 {
      let sum = p.scalars[(r * 10)..<((r + 1) * 10)].reduce(0.0) { $0 + Double($1) }
      #expect(Swift.abs(sum - 1) < 1e-6, "row \(r) sums to \(sum)")
    }
    #expect(p.scalars[0] == 1)
  }

  @Test func accuracyCountsTheLargestLogitAndBreaksTiesToTheLowestIndex() {
    let logits = Tensor(
      shape: [5, 3],
      scalars: [
        0.1, 0.9, 0.2,  // argmax 1, label 1: right
        0.5, 0.5, 0.1,  // tie between 0 and 1 → 0, label 1: wrong
        0.3, 0.2, 0.1,  // argmax 0, label 0: right
        0, 0, 0,  // three-way tie → 0, label 0: right
        -1, -3, -2,  // argmax 0, label 2: wrong
      ])
    #expect(accuracy(logits: logits, labels: [1, 1, 0, 0, 2]) == 0.6)
    #expect(accuracy(logits: logits, labels: [1, 0, 0, 0, 0]) == 1)
    // A NaN logit never wins, even in the first column.
    let withNaN = Tensor(shape: [1, 3], scalars: [.nan, 0.2, 0.1])
    #expect(accuracy(logits: withNaN, labels: [1]) == 1)
  }

  @Test func wrongLabelCountStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = softmaxCrossEntropy(logits: Variable(Tensor(zeros: [4, 3])), labels: [0, 1, 2])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("3 labels for a batch of 4 rows"), "\(message)")
  }

  @Test func labelOutsideTheClassesStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = accuracy(logits: Tensor(zeros: [2, 3]), labels: [0, 3])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("label 3 in row 1 is not a class index in 0..<3"), "\(message)")
  }

  @Test func logitsThatAreNotAMatrixStopWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = softmax(Tensor(zeros: [10]))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("(batch, classes), not [10]"), "\(message)")
  }
}
