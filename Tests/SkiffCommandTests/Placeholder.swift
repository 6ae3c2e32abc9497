import Testing

@Test func placeholderSkiffCommandTests() {}
