/// Generates the table that drives decoding of Kubernetes protobuf bodies.
enum ProtobufSchemaGenerator {
    static func generate(_ input: GeneratorInput) throws -> [GeneratedFile] { [] }
}
