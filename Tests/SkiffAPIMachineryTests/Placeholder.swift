import Testing

@Test func placeholderSkiffAPIMachineryTests() {}
