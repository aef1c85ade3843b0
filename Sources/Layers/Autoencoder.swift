import Autodiff

/// An encoder that squeezes the input into a code, and a decoder that rebuilds the input from it:
/// x̂ = decoder(encoder(x)). Every chapter's model has this shape; what differs is the layers
/// inside and what the loss asks of the code.
public struct Autoencoder: BufferedModule {
  public var encoder: any Module
  public var decoder: any Module

  public init(encoder: any Module, decoder: any Module) {
    self.encoder = encoder
    self.decoder = decoder
  }

  /// The reconstruction x̂.
  public func callAsFunction(_ x: Variable) -> Variable { decoder(encoder(x)) }

  /// The code z = encoder(x).
  public func encode(_ x: Variable) -> Variable { encoder(x) }

  /// Parameters named "encoder.0.weight", "decoder.2.bias", ...
  public var namedParameters: [(name: String, variable: Variable)] {
    encoder.namedParameters(prefix: "encoder") + decoder.namedParameters(prefix: "decoder")
  }

  /// Buffers named "encoder.1.running_mean", ... (none unless a part has some).
  public var ownNamedBuffers: [(name: String, buffer: Buffer)] {
    encoder.namedBuffers(prefix: "encoder") + decoder.namedBuffers(prefix: "decoder")
  }
}
