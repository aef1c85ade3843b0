/// Stops the program with `message` when `condition` is false, in every build mode.
///
/// Why not `precondition`: in optimised builds Swift keeps the check but drops its message, and
/// with `-Ounchecked` it drops the check itself, so a shape mistake would become a silent wrong
/// answer or a stray memory write. The library's checks are cheap (a few integer compares per
/// op, never per element), so they stay on everywhere, and a learner who multiplies a (128, 784)
/// batch by the wrong matrix reads "matmul: shapes [128, 784] and [256, 32] do not agree …".
@inlinable @inline(__always)
public func check(
  _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
  file: StaticString = #fileID, line: UInt = #line
) {
  if !condition() { checkFailed(message(), file: file, line: line) }
}

/// Prints `message` and stops (kept out of line, so the fast path of `check` stays small).
@usableFromInline @inline(never)
func checkFailed(_ message: String, file: StaticString, line: UInt) -> Never {
  fatalError(message, file: file, line: line)
}
