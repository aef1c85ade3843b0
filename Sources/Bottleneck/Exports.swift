// One import for a chapter: `import Bottleneck` brings in every library module.
@_exported import Autodiff
@_exported import ChapterKit
@_exported import Checkpoint
@_exported import Data
@_exported import Figures
@_exported import Imaging
@_exported import Kernels
@_exported import Layers
@_exported import Linalg
@_exported import TensorCore
@_exported import Training
