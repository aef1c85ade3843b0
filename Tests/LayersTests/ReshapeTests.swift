import Autodiff
import Foundation
import TensorCore
import Testing

@testable import Layers

@Suite("Flatten and Unflatten")
struct ReshapeTests {
  @Test func flattenKeepsTheBatchAndTheOrder() {
    let x = random([2, 3, 4, 5], seed: 1)
    let y = Flatten()(Variable(x)).value
    #expect(y.shape == [2, 60])
    #expect(y.scalars == x.scalars)  // row-major: no element moves
    #expect(Flatten()(Variable(Tensor(zeros: [7, 10]))).shape == [7, 10])
    #expect(Flatten()(Variable(Tensor(zeros: [0, 3, 2]))).shape == [0, 6])
    #expect(Flatten().namedParameters.isEmpty)
  }

  @Test func unflattenIsFlattensInverse() {
    let x = random([2, 64, 7, 7], seed: 2)
    let flat = Flatten()(Variable(x))
    let back = Unflatten(64, 7, 7)(flat)
    #expect(back.shape == [2, 64, 7, 7] && back.value == x)
    #expect(Unflatten(64, 7, 7).unflattenedShape == [64, 7, 7])
    #expect(Unflatten(shape: [64, 7, 7]).features == 3136)
    #expect(Unflatten(3).namedParameters.isEmpty)
    // The other way round too.
    let rows = random([5, 12], seed: 3)
    #expect(Flatten()(Unflatten(3, 2, 2)(Variable(rows))).value == rows)
  }

  @Test func theGradientPassesThroughUnchanged() {
    let x = Variable(random([3, 2, 2, 3], seed: 4), requiresGrad: true)
    let weights = random([3, 12], seed: 5)
    (Flatten()(x) * Variable(weights)).sum().backward()
    #expect(x.grad!.shape == [3, 2, 2, 3] && x.grad!.scalars == weights.scalars)

    let r = checkGradients(at: [random([3, 2, 2, 3], seed: 6)]) { v in
      let y = Unflatten(2, 6)(Flatten()(v[0]))
      return (y * y * Variable(random([3, 2, 6], seed: 7))).sum()
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test func flattenBetweenLayersInASequential() {
    var rng = RandomGenerator(seed: 8)
    let model = Sequential([BatchNorm2D(2), Flatten(), Linear(8, 3, rng: &rng), Unflatten(3, 1, 1)])
    #expect(model(Variable(random([4, 2, 2, 2], seed: 9))).shape == [4, 3, 1, 1])
    #expect(model.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
  }

  @Test func flattenOfABareVectorStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Flatten()(Variable(Tensor(zeros: [10])))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("Flatten: input shape [10]"), "\(message)")
  }

  @Test func unflattenOfTheWrongWidthStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Unflatten(64, 7, 7)(Variable(Tensor(zeros: [8, 3000])))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(
      message.contains("Unflatten(64, 7, 7): input shape [8, 3000] should be (batch, 3136)"),
      "\(message)")
  }
}
