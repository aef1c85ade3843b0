import Autodiff
import Kernels
import Testing

@testable import Layers
@testable import TensorCore
@testable import Training

/// Trains a small MLP on XOR with Adam; returns the final loss and the flattened parameters.
private func trainXOR(seed: UInt64, steps: Int) -> (loss: Float, parameters: [Float]) {
  var rng = RandomGenerator(seed: seed)
  let model = Sequential(mlp: [2, 8, 1], hidden: .tanh, rng: &rng)
  let x = Variable(Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1]))
  let y = Variable(Tensor(shape: [4, 1], scalars: [0, 1, 1, 0]))
  let adam = Adam(parameters: model.parameters, learningRate: 0.05)
  var loss: Float = .nan
  for _ in 0..<steps {
    let l = binaryCrossEntropy(logits: model(x), targets: y)
    loss = l.value.scalar
    l.backward()
    adam.step()
  }
  return (loss, model.parameters.flatMap(\.value.scalars))
}

@Suite("End to end")
struct EndToEndTests {
  @Test(arguments: ["naive", "tiled"]) func anMLPLearnsXOR(kernels: String) throws {
    let set = try Kernels.named(kernels)
    let (loss, _) = Kernels.$current.withValue(set) { trainXOR(seed: 1, steps: 300) }
    // Chance level is log 2 ≈ 0.693; a solved XOR is far below.
    #expect(loss < 0.05, "final BCE \(loss)")
  }

  @Test(arguments: ["naive", "tiled"]) func sameSeedGivesBitIdenticalParameters(kernels: String)
    throws
  {
    let set = try Kernels.named(kernels)
    let (a, b, c) = Kernels.$current.withValue(set) {
      (trainXOR(seed: 5, steps: 20), trainXOR(seed: 5, steps: 20), trainXOR(seed: 6, steps: 20))
    }
    #expect(a.parameters == b.parameters)
    #expect(a.parameters != c.parameters)
  }

  @Test func anAutoencoderFitsAFixedBatch() throws {
    // 16 random 20-d points through a 20-8-20 autoencoder: the MSE must drop well below the
    // variance of the data (what predicting the mean would give).
    var rng = RandomGenerator(seed: 3)
    let data = Tensor.uniform([16, 20], using: &rng)
    let model = Sequential([
      Sequential(mlp: [20, 8], hidden: .relu, output: .relu, rng: &rng),
      Sequential(mlp: [8, 20], output: .sigmoid, rng: &rng),
    ])
    let adam = Adam(parameters: model.parameters, learningRate: 0.01)
    let x = Variable(data)
    var first: Float = 0
    var last: Float = 0
    for step in 0..<500 {
      let loss = mseLoss(model(x), x)
      if step == 0 { first = loss.value.scalar }
      last = loss.value.scalar
      loss.backward()
      adam.step()
    }
    #expect(last < first / 4, "loss went from \(first) to \(last)")
  }
}
