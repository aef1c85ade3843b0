/// Whether ops record the graph for `backward()`.
///
/// Evaluation (test loss, reconstructions for a figure) needs no gradients: run it inside
/// `withoutGradients { … }` and the ops keep no backward closures, which saves memory and time.
/// Like `Kernels.current` it is task-local, so it applies exactly to the code inside the closure.
public enum GradientMode {
  @TaskLocal public static var isEnabled = true
}

/// Runs `body` with gradient recording off.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
  try GradientMode.$isEnabled.withValue(false) { try body() }
}
