// Chapters declare their command line with ArgumentParser; re-exported so `import Bottleneck` is enough.
@_exported import ArgumentParser
