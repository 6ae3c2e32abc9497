import Testing

@Test func placeholderSkiffStorageConformanceTests() {}
