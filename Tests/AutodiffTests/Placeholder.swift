import Testing
@Test func placeholderAutodiffTests() { #expect(Bool(true)) }
