import Testing
@Test func placeholderLinalgTests() { #expect(Bool(true)) }
