// A batch of grey images, as every function in Imaging takes it: a Tensor x of shape
// (n, rows·cols), one image per row, each image stored row-major (pixel (r, c) of image i is
// x[i, r·cols + c]), pixel values in [0, 1]. Fashion-MNIST's are 28 x 28, so x is (n, 784).
//
// The checks below run once per call (never per pixel) and say which function was called with
// what, so a learner who passes an unflattened (n, 28, 28) tensor reads what went wrong.
import TensorCore

/// Stops with a message naming `function` unless `x` is (n, d) for some n ≥ 0 and d ≥ 1.
func checkBatch(_ x: Tensor, _ function: String) {
  check(
    x.rank == 2 && x.shape[1] > 0,
    "\(function): expected a batch of flattened images of shape (n, rows·cols), got \(x.shape)")
}

/// Stops unless `x` is (n, rows·cols) with rows, cols ≥ 1.
func checkBatch(_ x: Tensor, rows: Int, cols: Int, _ function: String) {
  check(
    rows > 0 && cols > 0, "\(function): rows and cols must be positive, got \(rows) x \(cols)")
  check(
    x.rank == 2 && x.shape[1] == rows * cols,
    "\(function): expected a batch of \(rows)x\(cols) images of shape (n, \(rows * cols)),"
      + " got \(x.shape)")
}

/// Stops unless `a` and `b` are batches of the same shape (the pairs compared by a metric).
func checkSameShape(_ a: Tensor, _ b: Tensor, _ function: String) {
  check(
    a.shape == b.shape,
    "\(function): the two batches must have the same shape, got \(a.shape) and \(b.shape)")
}
