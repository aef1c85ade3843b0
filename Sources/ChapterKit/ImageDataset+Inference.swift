import Autodiff
import Data
import Layers
import TensorCore

extension ImageDataset {
  /// Runs `body` on every image in batches, in inference mode (no graph, no dropout), and stacks
  /// the results: the codes of a whole test set, or its reconstructions.
  ///   body maps a batch (n, pixels) to (n, features…); the result is (count, features…).
  /// Each batch's result is written into the stacked tensor as it comes, so the whole result is
  /// held once, not its batches and their concatenation as well.
  public func map(batchSize: Int = 1000, _ body: (Variable) -> Variable) -> Tensor {
    var output: Tensor?
    inference {
      var start = 0
      for indices in batches(batchSize: batchSize) {
        let block = body(Variable(batch(indices))).value
        writeRows(block, from: start, into: &output, rows: count)
        start += indices.count
      }
    }
    return output ?? Tensor(zeros: [0, 0])
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
        total += x.sumOfSquaredDifferences(xHat)
      }
    }
    return total / Double(Swift.max(count * pixelsPerImage, 1))
  }
}

/// Runs `body` on the rows of `x` (n, features) `blockSize` at a time, in inference mode, and
/// writes each block's result into one (n, outputs) tensor: a model applied to 10,000 noisy test
/// images holds the output once, not its blocks and their concatenation as well.
public func inferenceInBlocks(
  _ x: Tensor, blockSize: Int = 1000, _ body: (Variable) -> Variable
) -> Tensor {
  let n = x.shape[0]
  var output: Tensor?
  inference {
    for start in stride(from: 0, to: n, by: blockSize) {
      let end = Swift.min(start + blockSize, n)
      let block = body(Variable(x.rows(start..<end))).value
      writeRows(block, from: start, into: &output, rows: n)
    }
  }
  return output ?? Tensor(zeros: [0, 0])
}

/// Copies `block` (b, features…) into rows start ..< start + b of `output` (rows, features…),
/// making `output` (zeros) from the first block's shape if it is nil.
private func writeRows(_ block: Tensor, from start: Int, into output: inout Tensor?, rows: Int) {
  if output == nil { output = Tensor(zeros: [rows] + block.shape.dropFirst()) }
  precondition(
    Array(output!.shape.dropFirst()) == Array(block.shape.dropFirst()),
    "every block must give the same shape per row: \(block.shape) into \(output!.shape)")
  let width = block.count / Swift.max(block.shape.first ?? 1, 1)
  output!.withUnsafeMutablePointer { out in
    block.withUnsafePointer { (out + start * width).update(from: $0, count: block.count) }
  }
}
