/// What can go wrong while training, with what to do about it.
public enum TrainingError: Error, CustomStringConvertible {
  /// The loss became NaN or infinite.
  case nonFiniteLoss(value: Float, epoch: Int, batch: Int)

  public var description: String {
    switch self {
    case .nonFiniteLoss(let value, let epoch, let batch):
      return "the loss became \(value) at epoch \(epoch), batch \(batch): training diverged. "
        + "Lower --learning-rate (try a tenth), or check the inputs for NaN values."
    }
  }
}

/// Throws `TrainingError.nonFiniteLoss` unless `loss` is a finite number.
public func ensureFinite(_ loss: Float, epoch: Int, batch: Int) throws {
  if !loss.isFinite { throw TrainingError.nonFiniteLoss(value: loss, epoch: epoch, batch: batch) }
}
