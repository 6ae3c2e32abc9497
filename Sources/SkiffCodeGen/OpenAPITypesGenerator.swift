/// Generates the Swift API types and the compiled-in schema from the OpenAPI definitions.
enum OpenAPITypesGenerator {
    static func generate(_ input: GeneratorInput) throws -> [GeneratedFile] { [] }
}
