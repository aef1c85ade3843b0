import Testing
@Test func placeholderDataTests() { #expect(Bool(true)) }
