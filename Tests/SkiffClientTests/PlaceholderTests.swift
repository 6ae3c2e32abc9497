import SkiffClient
import Testing

@Test func clientLibraryLinks() {
    #expect(String(describing: SkiffClientLibrary.self) == "SkiffClientLibrary")
}
