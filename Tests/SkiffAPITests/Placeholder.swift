import Testing

@Test func placeholderSkiffAPITests() {}
