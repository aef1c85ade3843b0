import Testing
@Test func placeholderFiguresTests() { #expect(Bool(true)) }
