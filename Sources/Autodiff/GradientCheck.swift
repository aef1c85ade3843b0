import TensorCore

/// The outcome of comparing backward-pass gradients with finite differences.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
  /// The largest |analytic − numerical| over every element of every input.
  public var maxAbsoluteError: Double
  /// The largest |analytic − numerical| / max(1, |analytic| + |numerical|).
  public var maxRelativeError: Double
  /// Where the worst element was: input number and flat index.
  public var worstInput: Int
  public var worstIndex: Int
  public var analyticAtWorst: Double
  public var numericalAtWorst: Double

  /// True when every element is within the tolerance (on the relative error as defined above).
  public func passes(tolerance: Double) -> Bool { maxRelativeError <= tolerance }

  public var description: String {
    "max relative error \(maxRelativeError) (absolute \(maxAbsoluteError)) at input \(worstInput)"
      + " element \(worstIndex): analytic \(analyticAtWorst), numerical \(numericalAtWorst)"
  }
}

/// Checks the gradients of any scalar function of tensors, the way a careful learner would:
/// the backward pass gives ∂f/∂x analytically; central differences give it numerically,
///   ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / 2ε,
/// for every element i of every input. The error of the central difference shrinks like ε², but
/// Float32 rounding in f grows like (machine ε)/ε, so ε = 1e-3 with the difference taken in Double
/// is a good balance for Float32 functions whose values are of order 1.
///
/// - Parameters:
///   - inputs: the points at which to check; each becomes a variable that requires a gradient.
///   - epsilon: the finite-difference step.
///   - f: the function; it must return a scalar and be deterministic (no fresh random draws:
///     take any noise from a generator created inside `f` with a fixed seed).
public func checkGradients(
  at inputs: [Tensor], epsilon: Float = 1e-3, _ f: ([Variable]) -> Variable
) -> GradientCheckResult {
  // Analytic gradients from one backward pass.
  let variables = inputs.enumerated().map { Variable($1, requiresGrad: true, name: "input\($0)") }
  let output = f(variables)
  check(
    output.value.count == 1, "checkGradients: f must return a scalar, got shape \(output.shape)")
  output.backward()
  let analytic = variables.map { $0.grad ?? Tensor(zeros: $0.shape) }

  func evaluate(_ points: [Tensor]) -> Double {
    withoutGradients { Double(f(points.map { Variable($0) }).value.scalar) }
  }

  var result = GradientCheckResult(
    maxAbsoluteError: 0, maxRelativeError: 0, worstInput: 0, worstIndex: 0, analyticAtWorst: 0,
    numericalAtWorst: 0)
  for (i, input) in inputs.enumerated() {
    for j in 0..<input.count {
      // `points` is a value: changing its element j never touches `inputs` (copy-on-write).
      var points = inputs
      points[i].scalars[j] = input.scalars[j] + epsilon
      let plus = evaluate(points)
      points[i].scalars[j] = input.scalars[j] - epsilon
      let minus = evaluate(points)
      let numerical = (plus - minus) / (2 * Double(epsilon))
      let exact = Double(analytic[i].scalars[j])
      let absolute = Swift.abs(exact - numerical)
      let relative = absolute / Swift.max(1, Swift.abs(exact) + Swift.abs(numerical))
      if relative > result.maxRelativeError || (i == 0 && j == 0) {
        result.maxRelativeError = Swift.max(relative, result.maxRelativeError)
        result.worstInput = i
        result.worstIndex = j
        result.analyticAtWorst = exact
        result.numericalAtWorst = numerical
      }
      result.maxAbsoluteError = Swift.max(result.maxAbsoluteError, absolute)
    }
  }
  return result
}
