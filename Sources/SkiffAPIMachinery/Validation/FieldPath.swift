/// The path to a field of an object, as validation errors name it (↔ `k8s.io/apimachinery/pkg/util/validation/field.Path`).
///
/// A path is built while walking an object (`FieldPath("spec").child("containers").index(0)`) and rendered only
/// when an error is reported: `spec.containers[0]`. Each step is one small immutable node pointing at its parent,
/// so walking a valid object never formats a string.
///
/// ## Topics
/// ### Building
/// - ``init(_:)``
/// - ``child(_:)``
/// - ``child(_:_:)``
/// - ``child(_:_:_:)``
/// - ``index(_:)``
/// - ``key(_:)``
/// ### Rendering
/// - ``description``
public final class FieldPath: Sendable, CustomStringConvertible {
    private enum Step: Sendable {
        case name(String)
        case index(Int)
        case key(String)
    }

    private let parent: FieldPath?
    private let step: Step

    private init(parent: FieldPath?, step: Step) {
        self.parent = parent
        self.step = step
    }

    /// A path starting at the field `name` (upstream's `field.NewPath`).
    public convenience init(_ name: String) {
        self.init(parent: nil, step: .name(name))
    }

    /// The field `name` below this one: `spec` → `spec.containers`.
    public func child(_ name: String) -> FieldPath {
        FieldPath(parent: self, step: .name(name))
    }

    /// Two levels below this one: `spec.template` → `spec.template.metadata.labels`.
    public func child(_ name: String, _ next: String) -> FieldPath {
        self.child(name).child(next)
    }

    /// Three levels below this one: `spec` → `spec.template.spec.restartPolicy`.
    public func child(_ name: String, _ next: String, _ last: String) -> FieldPath {
        self.child(name).child(next).child(last)
    }

    /// The list element `index`: `spec.containers` → `spec.containers[0]`.
    public func index(_ index: Int) -> FieldPath {
        FieldPath(parent: self, step: .index(index))
    }

    /// The map entry `key`: `data` → `data[config.yaml]` (the key is not quoted, as upstream).
    public func key(_ key: String) -> FieldPath {
        FieldPath(parent: self, step: .key(key))
    }

    /// The path as upstream writes it: names joined by `.`, indices and keys in brackets.
    public var description: String {
        var steps: [Step] = []
        var node: FieldPath? = self
        while let current = node {
            steps.append(current.step)
            node = current.parent
        }
        var result = ""
        for (offset, step) in steps.reversed().enumerated() {
            switch step {
            case .name(let name):
                if offset > 0 && !name.isEmpty { result += "." }
                result += name
            case .index(let index):
                result += "[\(index)]"
            case .key(let key):
                result += "[" + key + "]"
            }
        }
        return result
    }
}
