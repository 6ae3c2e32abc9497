import SkiffAPI
import SkiffAPIMachinery

/// Building blocks of the column definitions, with upstream's descriptions.
///
/// Upstream describes most columns with the Go field's doc (`SwaggerDoc()`), the text the OpenAPI definitions carry
/// as `description`; those are read from ``SkiffAPI/APISchema``. Where upstream quotes a version Skiff does not
/// serve (`extensions/v1beta1`, `batch/v1beta1`, `rbac/v1beta1`, …), the served version's field doc stands in.
enum Columns {
    /// The doc of `property` in the OpenAPI definition `definition` (`io.k8s.api.core.v1.PodStatus`), or `""`.
    static func doc(_ definition: String, _ property: String) -> String {
        APISchema.definition(named: definition)?["properties"]?[property]?["description"]?.stringValue ?? ""
    }

    static func core(_ type: String, _ property: String) -> String { self.doc("io.k8s.api.core.v1." + type, property) }
    static func apps(_ type: String, _ property: String) -> String { self.doc("io.k8s.api.apps.v1." + type, property) }
    static func meta(_ property: String) -> String {
        self.doc("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", property)
    }

    /// A column of type `string`.
    static func column(
        _ name: String,
        format: String = "",
        priority: Int32 = 0,
        _ description: String
    ) -> MetaV1.TableColumnDefinition {
        self.column(name, "string", format: format, priority: priority, description)
    }

    /// A column of type `type` (`integer`, `boolean`, `date`).
    static func column(
        _ name: String,
        _ type: String,
        format: String = "",
        priority: Int32 = 0,
        _ description: String
    ) -> MetaV1.TableColumnDefinition {
        MetaV1.TableColumnDefinition(
            name: name,
            type: type,
            format: format,
            description: description,
            priority: priority
        )
    }

    /// `Name`, format `name`: the first column of nearly every table.
    static var name: MetaV1.TableColumnDefinition {
        self.column("Name", format: "name", self.meta("name"))
    }

    /// `Age`, the object's age as a string (`5m`, `3d4h`).
    static var age: MetaV1.TableColumnDefinition { self.column("Age", self.meta("creationTimestamp")) }

    static var containers: MetaV1.TableColumnDefinition {
        self.column("Containers", priority: 1, "Names of each container in the template.")
    }

    static var images: MetaV1.TableColumnDefinition {
        self.column("Images", priority: 1, "Images referenced by each container in the template.")
    }

    /// The default convertor's `Name` and `Created At`.
    static let defaultColumns: [MetaV1.TableColumnDefinition] = [
        Columns.name,
        Columns.column("Created At", "date", Columns.meta("creationTimestamp")),
    ]
}
