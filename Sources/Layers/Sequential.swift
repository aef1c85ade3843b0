import Autodiff
import TensorCore

/// Layers applied one after another: Sequential([Linear(784, 256), .relu, Linear(256, 32)]).
/// Parameters are named by position, "0.weight", "2.bias", as in PyTorch.
public struct Sequential: BufferedModule {
  public var layers: [any Module]

  public init(_ layers: [any Module]) { self.layers = layers }

  public func callAsFunction(_ x: Variable) -> Variable {
    layers.reduce(x) { h, layer in layer(h) }
  }

  public var namedParameters: [(name: String, variable: Variable)] {
    layers.enumerated().flatMap { i, layer in layer.namedParameters(prefix: "\(i)") }
  }

  public var ownNamedBuffers: [(name: String, buffer: Buffer)] {
    layers.enumerated().flatMap { i, layer in layer.namedBuffers(prefix: "\(i)") }
  }
}

extension Sequential {
  /// A multilayer perceptron through the given widths, e.g. [784, 256, 128, 32]: a Linear between each
  /// pair, `hidden` after every Linear but the last, and `output` (identity by default) after it.
  public init(
    mlp widths: [Int], hidden: Activation = .relu, output: Activation = Activation(.identity),
    rng: inout RandomGenerator
  ) {
    check(widths.count >= 2, "Sequential(mlp:): needs at least two widths, got \(widths)")
    var layers: [any Module] = []
    for i in 0..<(widths.count - 1) {
      let last = i == widths.count - 2
      let act = last ? output : hidden
      let scheme: WeightInit = {
        if case .relu = act.kind { return .kaiming }
        if case .leakyRelu = act.kind { return .kaiming }
        return .xavier
      }()
      layers.append(Linear(widths[i], widths[i + 1], init: scheme, rng: &rng))
      if case .identity = act.kind {} else { layers.append(act) }
    }
    self.init(layers)
  }
}
