import Testing

@Test func placeholderCodeGen() {}
