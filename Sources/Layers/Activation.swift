import Autodiff

/// An elementwise nonlinearity as a layer, so it can sit in a `Sequential`.
public struct Activation: Module, Sendable {
  public enum Kind: Sendable {
    case relu, sigmoid, tanh, identity
    case leakyRelu(slope: Float)
  }

  public let kind: Kind

  public init(_ kind: Kind) { self.kind = kind }

  public static let relu = Activation(.relu)
  public static let sigmoid = Activation(.sigmoid)
  public static let tanh = Activation(.tanh)
  public static func leakyRelu(slope: Float = 0.2) -> Activation {
    Activation(.leakyRelu(slope: slope))
  }

  public func callAsFunction(_ x: Variable) -> Variable {
    switch kind {
    case .relu: return x.relu()
    case .sigmoid: return x.sigmoid()
    case .tanh: return x.tanh()
    case .identity: return x
    case .leakyRelu(let slope): return x.leakyRelu(slope: slope)
    }
  }

  public var namedParameters: [(name: String, variable: Variable)] { [] }
}
