/// Which kernel set the tensor library calls.
///
/// It is a task-local value, not a global variable: `Kernels.$current.withValue(NaiveKernels()) { … }`
/// switches the set for everything that runs inside the closure, and only there. Two tests that run
/// at the same time on different sets cannot disturb each other, and Swift 6's strict concurrency
/// checking is satisfied without locks.
public enum Kernels {
  @TaskLocal public static var current: any KernelSet = TiledKernels()

  /// The kernel sets a user can name on the command line.
  public static let names = ["naive", "tiled"]

  /// The set called `name`, using `threads` worker threads (nil: all cores) and the GEMM tile
  /// `tile` for the tiled set. Throws `KernelSetError.unknownName` for any other name.
  public static func named(
    _ name: String, threads: Int? = nil, tile: GEMMTile = .chosen
  ) throws -> any KernelSet {
    switch name.lowercased() {
    case "naive": return NaiveKernels()
    case "tiled": return TiledKernels(threads: threads ?? TiledKernels.defaultThreads, tile: tile)
    default: throw KernelSetError.unknownName(name)
    }
  }
}

public enum KernelSetError: Error, CustomStringConvertible {
  case unknownName(String)

  public var description: String {
    switch self {
    case .unknownName(let name):
      return "unknown kernel set '\(name)': use one of \(Kernels.names.joined(separator: ", "))"
    }
  }
}
