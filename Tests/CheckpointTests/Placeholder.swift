import Testing
@Test func placeholderCheckpointTests() { #expect(Bool(true)) }
