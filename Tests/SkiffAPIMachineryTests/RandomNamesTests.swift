import Foundation
import SkiffAPIMachinery
import Testing

struct RandomNamesTests {
    @Test
    func uuidsAreVersion4InUpstreamsForm() throws {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let uid = RandomNames.uuid()
            let bytes = Array(uid.utf8)
            #expect(bytes.count == 36)
            for (index, byte) in bytes.enumerated() {
                if [8, 13, 18, 23].contains(index) {
                    #expect(byte == UInt8(ascii: "-"), "\(uid)")
                } else {
                    #expect((byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")), "\(uid)")
                }
            }
            #expect(bytes[14] == UInt8(ascii: "4"), "version nibble of \(uid)")
            #expect("89ab".utf8.contains(bytes[19]), "variant of \(uid)")
            let parsed = try #require(UUID(uuidString: uid))
            #expect(parsed.uuidString.lowercased() == uid)
            seen.insert(uid)
        }
        #expect(seen.count == 1000)
    }

    @Test
    func suffixesUseEveryLetterOfUpstreamsAlphabetAndNoOther() {
        let alphabet = Set("bcdfghjklmnpqrstvwxz2456789")
        var used = Set<Character>()
        for _ in 0..<2000 {
            let suffix = RandomNames.suffix()
            #expect(suffix.count == 5)
            for character in suffix {
                #expect(alphabet.contains(character), "\(suffix)")
                used.insert(character)
            }
        }
        // 10,000 draws from 27 letters: a letter missing would mean a broken mapping, not bad luck.
        #expect(used == alphabet)
        #expect(RandomNames.suffix(count: 12).count == 12)
        #expect(RandomNames.suffix(count: 0).isEmpty)
    }
}
