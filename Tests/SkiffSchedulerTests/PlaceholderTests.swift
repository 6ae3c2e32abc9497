import SkiffScheduler
import Testing

@Test func schedulerLibraryLinks() {
    #expect(String(describing: SkiffSchedulerLibrary.self) == "SkiffSchedulerLibrary")
}
