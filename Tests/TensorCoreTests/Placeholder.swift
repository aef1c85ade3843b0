import Testing
@Test func placeholderTensorCoreTests() { #expect(Bool(true)) }
