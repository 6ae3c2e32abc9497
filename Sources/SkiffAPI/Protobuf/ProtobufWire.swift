/// Reads protobuf wire format from a byte buffer, with bounds checks everywhere: malformed input throws, never traps.
struct ProtobufReader: ~Copyable {
    let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    var position: Int
    /// One past the last byte of the current message.
    let end: Int

    init(bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { self.position >= self.end }

    mutating func readVarint() throws(KubernetesProtobufError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = self.position
        while true {
            guard self.position < self.end else { throw .malformed("truncated varint", at: start) }
            let byte = self.bytes[self.position]
            self.position += 1
            if shift == 63, byte > 1 { throw .malformed("varint overflows 64 bits", at: start) }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next field's number and wire type.
    mutating func readTag() throws(KubernetesProtobufError) -> (number: Int, wireType: UInt8) {
        let start = self.position
        let key = try self.readVarint()
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else { throw .malformed("invalid field number \(number)", at: start) }
        return (Int(number), UInt8(key & 7))
    }

    /// The range of a length-delimited value's payload, and moves past it.
    mutating func readLengthDelimited() throws(KubernetesProtobufError) -> Range<Int> {
        let start = self.position
        let length = try self.readVarint()
        guard length <= UInt64(self.end - self.position) else {
            throw .malformed("length \(length) runs past the end of the message", at: start)
        }
        let range = self.position..<(self.position + Int(length))
        self.position = range.upperBound
        return range
    }

    mutating func readFixed64() throws(KubernetesProtobufError) -> UInt64 {
        guard self.end - self.position >= 8 else { throw .malformed("truncated 64-bit value", at: self.position) }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(self.bytes[self.position + index]) << (8 * UInt64(index)) }
        self.position += 8
        return value
    }

    mutating func readFixed32() throws(KubernetesProtobufError) -> UInt32 {
        guard self.end - self.position >= 4 else { throw .malformed("truncated 32-bit value", at: self.position) }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(self.bytes[self.position + index]) << (8 * UInt32(index)) }
        self.position += 4
        return value
    }

    /// Skips a value of an unknown field.
    mutating func skip(wireType: UInt8) throws(KubernetesProtobufError) {
        switch wireType {
        case 0: _ = try self.readVarint()
        case 1: _ = try self.readFixed64()
        case 2: _ = try self.readLengthDelimited()
        case 5: _ = try self.readFixed32()
        case 3, 4: throw .malformed("groups (wire types 3 and 4) are not supported", at: self.position)
        default: throw .malformed("invalid wire type \(wireType)", at: self.position)
        }
    }
}

/// Writes protobuf wire format.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            self.bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        self.bytes.append(UInt8(value))
    }

    mutating func writeTag(_ number: Int, _ wireType: UInt8) {
        self.writeVarint(UInt64(number) << 3 | UInt64(wireType))
    }

    mutating func writeFixed64(_ value: UInt64) {
        for index in 0..<8 { self.bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }

    mutating func writeFixed32(_ value: UInt32) {
        for index in 0..<4 { self.bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(index)))) }
    }

    mutating func writeBytes(_ number: Int, _ payload: some Collection<UInt8>) {
        self.writeTag(number, 2)
        self.writeVarint(UInt64(payload.count))
        self.bytes.append(contentsOf: payload)
    }

    /// Writes field `number` as a length-delimited value whose payload `body` appends; the length is patched in
    /// afterwards (one byte reserved, the payload moved when the length needs more).
    mutating func writeNested<E: Error>(_ number: Int, _ body: (inout ProtobufWriter) throws(E) -> Void) throws(E) {
        self.writeTag(number, 2)
        let lengthAt = self.bytes.count
        self.bytes.append(0)
        try body(&self)
        let length = self.bytes.count - lengthAt - 1
        if length < 0x80 {
            self.bytes[lengthAt] = UInt8(length)
            return
        }
        var varint = ProtobufWriter()
        varint.writeVarint(UInt64(length))
        self.bytes.replaceSubrange(lengthAt..<(lengthAt + 1), with: varint.bytes)
    }
}
