import SkiffStorage
import Testing

struct KeyOrderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var prefix: [UInt8]
        var end: [UInt8]?
        var testDescription: String { "\(self.prefix) → \(self.end.map { "\($0)" } ?? "nil")" }
    }

    @Test(arguments: [
        Case(prefix: Array("/registry/pods/".utf8), end: Array("/registry/pods0".utf8)),
        Case(prefix: [0x61, 0xFF], end: [0x62]),
        Case(prefix: [0xFF, 0xFF], end: nil),
        Case(prefix: [], end: nil),
    ])
    func prefixEndIsTheFirstKeyAfterTheRange(_ c: Case) {
        #expect(KeyOrder.prefixEnd(c.prefix) == c.end)
    }

    @Test
    func keysCompareByTheirUTF8Bytes() {
        #expect(KeyOrder.precedes("/a/Z", "/a/a"))
        #expect(KeyOrder.precedes("/a/z", "/a/\u{e9}"))  // é is 0xC3 0xA9 in UTF-8
        #expect(!KeyOrder.precedes("/a", "/a"))
        #expect(KeyOrder.hasPrefix("/registry/pods/a", "/registry/pods/"))
        #expect(!KeyOrder.hasPrefix("/registry/podsx", "/registry/pods/"))
        // "e" + combining acute is canonically equal to "é" for String ==, but not byte-equal: not a prefix match.
        #expect(!KeyOrder.hasPrefix("/e\u{301}", "/\u{e9}"))
    }
}

struct RevisionTests {
    @Test
    func revisionsRoundTripThroughTheirDecimalForm() {
        #expect(Revision("42") == Revision(42))
        #expect(Revision(42).description == "42")
        #expect(Revision("4x") == nil)
        #expect(Revision(1) < Revision(2))
    }

    @Test
    func errorCodesHaveStableNames() {
        #expect(StorageError.Code.conflict.description == "conflict")
        #expect(StorageError.Code.watcherTooSlow.description == "watcherTooSlow")
        let error = StorageError.compacted(compactRevision: 7, requested: 3)
        #expect(error.code == .compacted)
        #expect(error.compactRevision == 7)
        #expect(error.description.hasPrefix("compacted: "))
    }
}
