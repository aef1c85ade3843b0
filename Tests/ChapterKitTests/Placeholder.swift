import Testing
@Test func placeholderChapterKitTests() { #expect(Bool(true)) }
