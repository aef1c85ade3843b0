import Foundation

/// What can go wrong in a chapter run that the user can fix: each case's `description` names the
/// problem and the fix, and is what the user sees after `error: ` (see `runChapter`).
public enum ChapterError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// The output folder could not be created, e.g. a parent is a regular file or permission denied.
  case outputFolderNotCreatable(path: String, reason: String)
  /// Something that is not a folder (a regular file, say) already sits at the output path.
  case outputPathIsNotAFolder(path: String)
  /// The output folder exists but a probe file could not be written into it.
  case outputFolderNotWritable(path: String, reason: String)
  /// A file could not be written (atomically) into an existing folder.
  case writeFailed(path: String, reason: String)
  /// The training loss became NaN or infinite. `epoch` and `batch` count from 1.
  case nonFiniteLoss(epoch: Int, batch: Int, loss: Double)
  /// Ctrl-C or SIGTERM stopped training after a batch; `checkpoint` holds where. `runChapter`
  /// prints this with the command that resumes, and exits with 128 + `signal`.
  case interrupted(signal: Int32, place: String, checkpoint: String)
  /// `--resume` found a checkpoint it must not continue; `detail` says what differs.
  case checkpointMismatch(path: String, detail: String)
  /// `--resume` found no checkpoint to continue from.
  case nothingToResume(folder: String)

  public var description: String {
    switch self {
    case .outputFolderNotCreatable(let path, let reason):
      return "cannot create the output folder '\(path)' (\(reason)): "
        + "choose another folder with --output, or fix the path or its permissions"
    case .outputPathIsNotAFolder(let path):
      return "the output path '\(path)' exists and is not a folder: "
        + "move or delete that file, or choose another folder with --output"
    case .outputFolderNotWritable(let path, let reason):
      return "cannot write into the output folder '\(path)' (\(reason)): "
        + "fix its permissions, or choose another folder with --output"
    case .writeFailed(let path, let reason):
      return "cannot write '\(path)' (\(reason)): "
        + "check free disk space and the folder's permissions"
    case .nonFiniteLoss(let epoch, let batch, let loss):
      return "the training loss became \(loss) at epoch \(epoch), batch \(batch): "
        + "lower the learning rate (--learning-rate), or check the inputs for NaN or huge values"
    case .interrupted(let signal, let place, let checkpoint):
      return "\(StopRequest.name(of: signal)): stopped \(place); saved \(checkpoint)"
    case .checkpointMismatch(let path, let detail):
      return "cannot resume from '\(path)': \(detail). Resume with the flags of the run that "
        + "wrote it, or run without --resume to start over"
    case .nothingToResume(let folder):
      return "--resume: there is no checkpoint in '\(folder)' (nothing was started). "
        + "Run without --resume to start from the beginning"
    }
  }

  /// ArgumentParser (and Foundation) prefer `LocalizedError.errorDescription` when present; giving
  /// the same text keeps the message identical on every path an error can take to the user.
  public var errorDescription: String? { description }
}
