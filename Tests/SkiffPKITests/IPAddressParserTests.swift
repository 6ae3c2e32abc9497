import Testing

@testable import SkiffPKI

struct IPAddressParserTests {
    @Test(
        arguments: [
            ("127.0.0.1", [127, 0, 0, 1]),
            ("0.0.0.0", [0, 0, 0, 0]),
            ("255.255.255.255", [255, 255, 255, 255]),
            ("::1", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            ("::", [UInt8](repeating: 0, count: 16)),
            ("fd00::10", [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]),
            ("2001:db8:0:0:1:0:0:1", [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]),
            ("FE80::AbCd", [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd]),
            ("::ffff:10.0.0.1", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]),
            ("1:2:3:4:5:6:7::", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]),
        ] as [(String, [UInt8])]
    )
    func parsesAddresses(_ text: String, _ bytes: [UInt8]) {
        #expect(IPAddressParser.parse(text) == bytes)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.0.0.1", "1.2.3.-4", "a.b.c.d", " 1.2.3.4",
        ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::", "g::", "fe80::1%eth0",
        "10.0.0.0/8", "1.2.3.4::", "::1.2.3", "localhost",
    ])
    func rejectsNonAddresses(_ text: String) {
        #expect(IPAddressParser.parse(text) == nil)
    }
}
