import Testing

@Test func placeholderSkiffStorageSQLiteTests() {}
