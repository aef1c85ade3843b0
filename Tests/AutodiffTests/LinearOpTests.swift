import Kernels
import Testing

@testable import Autodiff
@testable import TensorCore

// Variable.linear: f(x·Wᵀ + b) as one op, the bias and f in the GEMM's epilogue. Its gradients
// are checked against finite differences, and its values and gradients against the three
// separate ops it replaces, bit for bit.

private func random(_ shape: [Int], seed: UInt64) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.uniform(shape, low: -1, high: 1, using: &rng)
}

/// The activations a linear op can fuse; nil is none.
private let activations: [UnaryOp?] = [nil, .relu, .leakyRelu(slope: 0.2), .sigmoid, .tanh]

@Suite("Variable.linear: a layer and its activation in one GEMM")
struct LinearOpTests {
  static let sets = ["naive", "tiled"]

  @Test(arguments: sets) func finiteDifferences(kernels: String) throws {
    let set = try Kernels.named(kernels, threads: 2)
    for (index, activation) in activations.enumerated() {
      for withBias in [true, false] {
        let seed = UInt64(10 * index)
        let inputs =
          [random([5, 7], seed: seed + 1), random([3, 7], seed: seed + 2)]
          + (withBias ? [random([3], seed: seed + 3)] : [])
        let weights = random([5, 3], seed: seed + 4)
        let result = Kernels.$current.withValue(set) {
          checkGradients(at: inputs) { v in
            let y = Variable.linear(
              v[0], weight: v[1], bias: withBias ? v[2] : nil, activation: activation)
            return (y * Variable(weights)).sum()
          }
        }
        #expect(
          result.passes(tolerance: 1e-2),
          "\(kernels) f=\(String(describing: activation)) bias=\(withBias): \(result)")
      }
    }
  }

  @Test(arguments: sets) func sameBitsAsSeparateOps(kernels: String) throws {
    let set = try Kernels.named(kernels, threads: 2)
    // Chapter 1's first layer on a batch of 128, and a small odd one.
    for (batch, inputs, outputs) in [(128, 784, 256), (9, 13, 5)] {
      for activation in activations {
        let x = random([batch, inputs], seed: 1)
        let w = random([outputs, inputs], seed: 2) * 0.1
        let b = random([outputs], seed: 3)
        let weights = random([batch, outputs], seed: 4)
        func run(fused: Bool) -> [[UInt32]] {
          Kernels.$current.withValue(set) {
            let (vx, vw, vb) = (
              Variable(x, requiresGrad: true), Variable(w, requiresGrad: true),
              Variable(b, requiresGrad: true)
            )
            var y: Variable
            if fused {
              y = Variable.linear(vx, weight: vw, bias: vb, activation: activation)
            } else {
              y = Variable.matmul(vx, vw, transposeB: true) + vb
              if let activation { y = y.applying(activation, name: "f") }
            }
            (y * Variable(weights)).sum().backward()
            return [y.value, vx.grad!, vw.grad!, vb.grad!].map { $0.scalars.map(\.bitPattern) }
          }
        }
        let differing = zip(run(fused: true), run(fused: false)).map {
          zip($0, $1).filter { $0 != $1 }.count
        }
        #expect(
          differing.allSatisfy { $0 == 0 },
          "floats that differ, per tensor: \(differing); \(kernels) \(batch)x\(inputs)→\(outputs)")
      }
    }
  }

  @Test func refusesAnActivationWhoseDerivativeNeedsItsInput() {
    #expect(Variable.readsDerivativeFromOutput(.relu))
    #expect(Variable.readsDerivativeFromOutput(.leakyRelu(slope: 0)))
    #expect(!Variable.readsDerivativeFromOutput(.leakyRelu(slope: -0.5)))
    #expect(!Variable.readsDerivativeFromOutput(.square))
    #expect(!Variable.readsDerivativeFromOutput(.abs))
  }
}
