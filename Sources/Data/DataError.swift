import Foundation

/// Everything that can go wrong while reading a data set from disk.
///
/// These are the user's problems, not the program's: a folder that is not there, a file cut short
/// by an interrupted download, a gzip stream with a flipped bit. Each case carries the file it is
/// about, and `description` says what was wrong and, where there is one, how to fix it.
public enum DataError: Error, CustomStringConvertible, Equatable {
  /// The data folder does not exist.
  case missingDirectory(URL)
  /// The folder exists but holds neither `name` nor `name.gz`.
  case missingFile(name: String, directory: URL)
  /// The file exists but could not be read (permissions, an I/O error).
  case unreadable(URL, reason: String)
  /// The file could not be written (a missing folder, permissions, a full disk).
  case unwritable(URL, reason: String)
  /// The first bytes are not an IDX header: `found` holds the four bytes that were there.
  case badMagic(URL, found: [UInt8])
  /// A valid IDX header whose element type (0x09 byte, 0x0B short, ...) this reader does not load.
  case unsupportedElementType(URL, code: UInt8)
  /// The file holds fewer bytes than its header promises.
  case truncated(URL, expectedBytes: Int, actualBytes: Int)
  /// The file holds more bytes than its header promises.
  case extraBytes(URL, expectedBytes: Int, actualBytes: Int)
  /// The gzip stream could not be decompressed.
  case corruptGzip(URL, detail: String)
  /// The file's dimensions are not what its role needs (images are n × rows × cols, labels n).
  case unexpectedShape(URL, dims: [Int], expected: String)
  /// The image file and the label file disagree on the number of samples.
  case countMismatch(images: URL, imageCount: Int, labels: URL, labelCount: Int)
  /// A label is outside 0..<classCount.
  case labelOutOfRange(URL, index: Int, label: Int, classCount: Int)

  /// How to get the data, appended to the messages about missing files.
  static let howToFix = """
    Install Fashion-MNIST with `sudo apt-get install dataset-fashion-mnist`, or pass \
    `--data-dir DIR` (or set BOTTLENECK_DATA_DIR) to a folder holding the four IDX files \
    train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and \
    t10k-labels-idx1-ubyte (each plain or .gz).
    """

  public var description: String {
    switch self {
    case .missingDirectory(let folder):
      return "data folder \(folder.path) does not exist. \(Self.howToFix)"
    case .missingFile(let name, let folder):
      return "\(name) (or \(name).gz) not found in \(folder.path). \(Self.howToFix)"
    case .unreadable(let file, let reason):
      return "\(file.path): cannot read the file: \(reason)"
    case .unwritable(let file, let reason):
      return "\(file.path): cannot write the file: \(reason)"
    case .badMagic(let file, let found):
      let hex = found.map { String(format: "%02x", $0) }.joined(separator: " ")
      return """
        \(file.path): not an IDX file: the first bytes are [\(hex)], but an IDX file starts with \
        00 00, a type code and a dimension count (e.g. 00 00 08 03 for MNIST images)
        """
    case .unsupportedElementType(let file, let code):
      return """
        \(file.path): IDX element type 0x\(String(format: "%02x", code)) is not supported: \
        only unsigned bytes (0x08), as in MNIST and Fashion-MNIST, are
        """
    case .truncated(let file, let expected, let actual):
      return """
        \(file.path): truncated: the header promises \(expected) bytes but the \
        (decompressed) file has only \(actual); download it again
        """
    case .extraBytes(let file, let expected, let actual):
      return """
        \(file.path): size disagrees with the header: it promises \(expected) bytes but the \
        (decompressed) file has \(actual); the file is damaged or not what its name says
        """
    case .corruptGzip(let file, let detail):
      return "\(file.path): corrupt gzip stream (\(detail)); download the file again"
    case .unexpectedShape(let file, let dims, let expected):
      return "\(file.path): has dimensions \(dims), but \(expected) was expected"
    case .countMismatch(let images, let imageCount, let labels, let labelCount):
      return """
        \(images.path) holds \(imageCount) images but \(labels.path) holds \(labelCount) labels; \
        the two files must come from the same split
        """
    case .labelOutOfRange(let file, let index, let label, let classCount):
      return """
        \(file.path): label \(label) at position \(index) is outside 0..<\(classCount); \
        wrong label names for this data set?
        """
    }
  }
}
