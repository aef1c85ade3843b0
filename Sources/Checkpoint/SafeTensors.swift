import TensorCore

/// Reading and writing named tensors in the safetensors format (huggingface.co/docs/safetensors),
/// which PyTorch, JAX and NumPy users can open too.
///
/// A file has three parts:
///
///     [8 bytes]  N, the header length, a little-endian UInt64
///     [N bytes]  the header: UTF-8 JSON, padded with spaces so that N is a multiple of 8
///                {"encoder.weight": {"dtype": "F32", "shape": [128, 784], "data_offsets": [0, 401408]},
///                 ...,
///                 "__metadata__": {"epoch": "10"}}
///     [rest]     the data buffer: every tensor's elements, row-major, little-endian
///
/// `data_offsets` are [begin, end) byte positions counted from the start of the data buffer. The
/// tensors tile the buffer exactly: no gaps, no overlaps, each holding shape-product × 4 bytes.
/// `__metadata__` is optional and maps strings to strings (hyperparameters, the epoch, …).
///
/// The format is simple on purpose: a reader parses one small JSON object and then knows where every
/// tensor is, so it can check the whole layout before trusting a single byte of data. The reader
/// here does exactly that, and throws a `CheckpointError` on any inconsistency instead of crashing.
/// Only 32-bit floats (dtype F32) are supported, the one type `Tensor` holds.
public enum SafeTensors {
  /// The key of the optional string-to-string metadata object in the header.
  public static let metadataKey = "__metadata__"

  /// What `read` returns: the tensors by name, their order in the file, and the metadata.
  public struct Contents: Sendable {
    /// The tensors, by name.
    public var tensors: [String: Tensor]
    /// The tensor names in the order their data lies in the file, which is the order `write` was
    /// given them.
    public var names: [String]
    /// The `__metadata__` strings (empty if the file has none).
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], names: [String], metadata: [String: String]) {
      self.tensors = tensors
      self.names = names
      self.metadata = metadata
    }

    /// The (name, tensor) pairs in file order.
    public var ordered: [(name: String, tensor: Tensor)] {
      names.compactMap { name in tensors[name].map { (name: name, tensor: $0) } }
    }
  }
}
