@testable import SkiffAPIServer
import Testing

struct ProcessMemoryTests {
    static let smaps = """
        556e8dfe9000-556e901cc000 r-xp 00000000 fe:00 16401807                   /usr/bin/skiff
        Size:              34700 kB
        Rss:               24112 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me sd
        556e901cc000-556e902c0000 r--p 021e2000 fe:00 16401807                   /usr/bin/skiff
        Size:                976 kB
        Anonymous:           976 kB
        VmFlags: rd mr mw me ac sd
        556e902c0000-556e905e6000 rw-p 022d6000 fe:00 16401807                   /usr/bin/skiff
        Anonymous:           304 kB
        7f5550000000-7f555076f000 rw-p 00000000 00:00 0
        Anonymous:          6568 kB
        7f5565000000-7f5565100000 r-xp 00000000 fe:00 2000                       /opt/lib/libpatched.so
        Anonymous:             8 kB
        7f5566000000-7f5566200000 r-xp 00000000 fe:00 2001                       /opt/lib/libswiftCore.so
        Anonymous:             0 kB
        7ffd1e5f4000-7ffd1e5f6000 r-xp 00000000 00:00 0                          [vdso]
        Anonymous:             0 kB
        """

    @Test
    func releasesOnlyCleanExecutableFileMappings() {
        let ranges = ProcessMemory.cleanExecutableMappings(Self.smaps)
        #expect(
            ranges == [
                0x556e_8dfe_9000..<0x556e_901c_c000,
                0x7f55_6600_0000..<0x7f55_6620_0000,
            ]
        )
    }

    @Test
    func releasingTheStartupPagesOfThisProcessKeepsItRunning() {
        // The test process's own code is file-backed: releasing it must be harmless.
        _ = ProcessMemory.releaseStartupPages()
        #expect(ProcessMemory.cleanExecutableMappings("").isEmpty)
    }
}
