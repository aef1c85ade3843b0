import Autodiff
import Data
import Layers
import TensorCore

extension ImageDataset {
  /// Runs `body` on every image in batches, in inference mode (no graph, no dropout), and stacks
  /// the results: the codes of a whole test set, or its reconstructions.
  ///   body maps a batch (n, pixels) to (n, features); the result is (count, features).
  public func map(batchSize: Int = 1000, _ body: (Variable) -> Variable) -> Tensor {
    let parts = inference {
      batches(batchSize: batchSize).map { indices in body(Variable(batch(indices))).value }
    }
    return Tensor.concat(parts, axis: 0)
  }

  /// Mean squared error per pixel between every image and `reconstruct(image)`.
  public func reconstructionMSE(batchSize: Int = 1000, _ reconstruct: (Variable) -> Variable)
    -> Double
  {
    var total = 0.0
    inference {
      for indices in batches(batchSize: batchSize) {
        let x = batch(indices)
        let xHat = reconstruct(Variable(x)).value
        for (a, b) in zip(x.scalars, xHat.scalars) { total += Double(a - b) * Double(a - b) }
      }
    }
    return total / Double(Swift.max(count * pixelsPerImage, 1))
  }
}
