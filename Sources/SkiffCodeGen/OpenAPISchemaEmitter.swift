/// Emits the compiled-in schema data: the selected OpenAPI definitions and the resource table.
enum OpenAPISchemaEmitter {
    static func files(_ input: GeneratorInput) throws -> [GeneratedFile] { [] }
}
