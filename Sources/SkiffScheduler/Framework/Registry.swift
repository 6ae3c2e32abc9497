public import SkiffAPIMachinery

/// Makes a plugin from its arguments (`pluginConfig[].args`, `nil` for the defaults) and the framework handle.
public typealias PluginFactory = @Sendable (_ args: JSONValue?, _ handle: any FrameworkHandle) throws -> any SchedulerPlugin

/// Plugin names → factories (↔ `runtime.Registry`): the in-tree plugins, plus any out-of-tree ones a caller merges.
public struct Registry: Sendable {
    /// The factories by plugin name.
    public var factories: [String: PluginFactory]

    /// Makes a registry.
    public init(_ factories: [String: PluginFactory] = [:]) {
        self.factories = factories
    }

    /// Adds a plugin; throws when the name is taken (↔ `Registry.Register`).
    public mutating func register(_ name: String, _ factory: @escaping PluginFactory) throws {
        guard self.factories[name] == nil else {
            throw SchedulerError("a plugin named \(name) already exists")
        }
        self.factories[name] = factory
    }

    /// Adds every plugin of `other`; throws on a name clash.
    public mutating func merge(_ other: Registry) throws {
        for (name, factory) in other.factories {
            try self.register(name, factory)
        }
    }

    /// The factory of `name`.
    public subscript(name: String) -> PluginFactory? { self.factories[name] }
}
