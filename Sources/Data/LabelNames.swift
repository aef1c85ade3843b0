/// Which names the ten classes have. MNIST digits and Fashion-MNIST share file names and format,
/// so the files cannot tell us; the caller says which data set it is.
public enum LabelNames: String, Sendable, CaseIterable {
  /// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): Zalando's article photos.
  case fashion
  /// MNIST handwritten digits: class k is the digit k.
  case digits

  /// The name of each class, indexed by label.
  public var classNames: [String] {
    switch self {
    case .fashion:
      return [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
      ]
    case .digits:
      return (0..<10).map(String.init)
    }
  }
}
