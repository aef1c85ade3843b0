import Foundation
import Testing

@testable import TensorCore

/// A shape mismatch is a bug in the calling code, so the library stops the program (there is no
/// sensible result to go on with), but first says which op failed and both shapes. These tests
/// run each mistake in a child process and read what it printed.
@Suite("Shape errors name both shapes")
struct ShapeErrorTests {
  @Test func matmulWithDisagreeingInnerDimensions() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.matmul(Tensor(zeros: [128, 784]), Tensor(zeros: [256, 32]))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("[128, 784]") && message.contains("[256, 32]"), "\(message)")
  }

  @Test func broadcastingIncompatibleShapes() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(zeros: [4, 3]) + Tensor(zeros: [2])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("[4, 3]") && message.contains("[2]"), "\(message)")
  }

  @Test func reshapeToAnotherElementCount() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor(zeros: [4, 3]).reshaped([5, 2])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("[4, 3]") && message.contains("[5, 2]"), "\(message)")
  }
}
