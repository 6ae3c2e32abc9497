import SkiffAPI
import SkiffAPIMachinery

/// Resolves a pod's priority from its PriorityClass, and keeps PriorityClasses to one global default (↔ upstream
/// `plugin/pkg/admission/priority`, "Priority", on by default).
///
/// - Creating a pod sets `spec.priority` (and `spec.preemptionPolicy`) from the class `spec.priorityClassName`
///   names; without a name, from the `globalDefault` class (whose name it records), else priority 0 with
///   `PreemptLowerPriority`. An unknown class is 403 `no PriorityClass with name x was found`; a `spec.priority`
///   that disagrees with the class is 403.
/// - Updating a pod keeps the priority and preemption policy it was admitted with.
/// - Creating a second `globalDefault` class (or marking another one default) is 403.
struct PriorityAdmission: MutatingAdmissionPlugin, ValidatingAdmissionPlugin {
    static let pluginName = "Priority"
    var name: String { Self.pluginName }

    /// Pods without a class and without a default class get this priority (upstream's
    /// `DefaultPriorityWhenNoDefaultClassExists`).
    static let defaultPriority: Int32 = 0

    let objects: any AdmissionObjectSource

    func admit(_ attributes: inout AdmissionAttributes) async throws {
        guard attributes.isMainResource(.pods), var pod = attributes.object as? CoreV1.Pod else { return }
        var spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        switch attributes.operation {
        case .update:
            guard let oldSpec = (attributes.oldObject as? CoreV1.Pod)?.spec else { return }
            if spec.priority == nil { spec.priority = oldSpec.priority }
            if spec.preemptionPolicy == nil { spec.preemptionPolicy = oldSpec.preemptionPolicy }
        case .create:
            let priority: Int32
            let preemptionPolicy: String?
            if let className = spec.priorityClassName, !className.isEmpty {
                guard let priorityClass = try await self.objects.get(
                    SchedulingV1.PriorityClass.self,
                    .priorityClasses,
                    namespace: nil,
                    name: className,
                    cached: true
                ) else {
                    throw attributes.forbidden("no PriorityClass with name \(className) was found")
                }
                priority = priorityClass.value ?? 0
                preemptionPolicy = priorityClass.preemptionPolicy
            } else if let defaultClass = try await self.defaultClass() {
                spec.priorityClassName = defaultClass.metadata.name
                priority = defaultClass.value ?? 0
                preemptionPolicy = defaultClass.preemptionPolicy
            } else {
                priority = Self.defaultPriority
                preemptionPolicy = "PreemptLowerPriority"
            }
            if let given = spec.priority, given != priority {
                throw attributes.forbidden(
                    "the integer value of priority (\(given)) must not be provided in pod spec; priority admission controller computed \(priority) from the given PriorityClass name"
                )
            }
            spec.priority = priority
            if let preemptionPolicy {
                if let given = spec.preemptionPolicy, given != preemptionPolicy {
                    throw attributes.forbidden(
                        "the string value of PreemptionPolicy (\(given)) must not be provided in pod spec; priority admission controller computed \(preemptionPolicy) from the given PriorityClass name"
                    )
                }
                spec.preemptionPolicy = preemptionPolicy
            }
        default:
            return
        }
        pod.spec = spec
        attributes.object = pod
    }

    func validate(_ attributes: AdmissionAttributes) async throws {
        guard attributes.isMainResource(.priorityClasses),
            attributes.operation == .create || attributes.operation == .update,
            let priorityClass = attributes.object as? SchedulingV1.PriorityClass, priorityClass.globalDefault == true,
            let existing = try await self.defaultClass()
        else { return }
        if attributes.operation == .create || existing.metadata.name != priorityClass.metadata.name {
            throw attributes.forbidden(
                "PriorityClass \(existing.metadata.name ?? "") is already marked as default. Only one default can exist"
            )
        }
    }

    /// The global default class; with several (a race), the one with the lowest value, as upstream.
    private func defaultClass() async throws -> SchedulingV1.PriorityClass? {
        let classes = try await self.objects.list(
            SchedulingV1.PriorityClass.self,
            .priorityClasses,
            namespace: nil,
            cached: true
        )
        return classes.filter { $0.globalDefault == true }.min { ($0.value ?? 0) < ($1.value ?? 0) }
    }
}
