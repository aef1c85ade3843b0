import Autodiff
import Kernels
import Testing

@testable import Layers
@testable import TensorCore

@Suite("Sequential runs a Linear and its activation as one op")
struct SequentialFusionTests {
  @Test(arguments: ["naive", "tiled"])
  func sameBitsAsLayerByLayer(kernels: String) throws {
    let set = try Kernels.named(kernels, threads: 2)
    for (hidden, output) in [
      (Activation.relu, Activation.sigmoid), (.tanh, Activation(.identity)),
      (.leakyRelu(slope: 0.2), .tanh), (.leakyRelu(slope: -0.5), .relu),
    ] {
      var rng = RandomGenerator(seed: 5)
      let model = Sequential(mlp: [13, 8, 5, 3], hidden: hidden, output: output, rng: &rng)
      let x = random([9, 13], seed: 6)
      let weights = random([9, 3], seed: 7)
      func run(fused: Bool) -> [[UInt32]] {
        Kernels.$current.withValue(set) {
          for (_, p) in model.namedParameters { p.grad = nil }
          let input = Variable(x)
          let y = fused ? model(input) : model.layers.reduce(input) { h, layer in layer(h) }
          (y * Variable(weights)).sum().backward()
          return [y.value.scalars.map(\.bitPattern)]
            + model.namedParameters.map { $0.variable.grad!.scalars.map(\.bitPattern) }
        }
      }
      let differing = zip(run(fused: true), run(fused: false)).map {
        zip($0, $1).filter { $0 != $1 }.count
      }
      #expect(
        differing.allSatisfy { $0 == 0 },
        "floats that differ, per tensor: \(differing); \(kernels) \(hidden.kind) \(output.kind)")
    }
  }

  @Test func whichActivationsFuse() {
    #expect(Activation.relu.fusableOp == .relu)
    #expect(Activation.sigmoid.fusableOp == .sigmoid)
    #expect(Activation.tanh.fusableOp == .tanh)
    #expect(Activation.leakyRelu(slope: 0.2).fusableOp == .leakyRelu(slope: 0.2))
    #expect(Activation.leakyRelu(slope: -0.5).fusableOp == nil)
    #expect(Activation(.identity).fusableOp == nil)
  }
}
