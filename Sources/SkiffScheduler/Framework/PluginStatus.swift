/// The result of running a plugin (↔ `framework.Status`; a `nil` status upstream is ``success``).
///
/// A status carries a ``Code``, the human-readable ``reasons`` that end up in the `FailedScheduling` message, the
/// name of the plugin that failed (``plugin``, set by the framework runtime) and, for ``Code/error``, the error.
public struct PluginStatus: Error, Sendable, CustomStringConvertible {
    /// What happened (↔ `framework.Code`).
    public enum Code: Int, Sendable, Hashable, CustomStringConvertible {
        /// The plugin ran and the pod may go on.
        case success = 0
        /// An internal error: the pod is retried with back-off, and the reasons are not shown as a node's fault.
        case error = 1
        /// The pod does not fit for now; preemption may help (Filter) or the cycle is rejected (Permit, Reserve).
        case unschedulable = 2
        /// The pod does not fit and preempting pods on the node would not help.
        case unschedulableAndUnresolvable = 3
        /// A Permit plugin asks the binding cycle to wait.
        case wait = 4
        /// The plugin has nothing to do for this pod: PreFilter/PreScore skip the plugin's Filter/Score, Bind
        /// passes to the next binder.
        case skip = 5
        /// A PreEnqueue-like "not yet": the pod stays in the unschedulable pods until an event (↔ `Pending`).
        case pending = 6

        public var description: String {
            switch self {
            case .success: "Success"
            case .error: "Error"
            case .unschedulable: "Unschedulable"
            case .unschedulableAndUnresolvable: "UnschedulableAndUnresolvable"
            case .wait: "Wait"
            case .skip: "Skip"
            case .pending: "Pending"
            }
        }
    }

    /// What happened.
    public var code: Code
    /// The reasons, plugin and error, boxed and absent when all are empty: a plain status (every ``success``
    /// and ``skip`` the framework passes around per node and plugin) is two words and costs no reference counting,
    /// as upstream's `nil` status costs nothing.
    private var details: Details?

    private final class Details: Sendable {
        let reasons: [String]
        let plugin: String?
        let error: (any Error)?

        init(reasons: [String], plugin: String?, error: (any Error)?) {
            self.reasons = reasons
            self.plugin = plugin
            self.error = error
        }

        /// A box for the values, or `nil` when there is nothing to hold.
        static func make(reasons: [String], plugin: String?, error: (any Error)?) -> Details? {
            reasons.isEmpty && plugin == nil && error == nil ? nil : Details(reasons: reasons, plugin: plugin, error: error)
        }
    }

    /// Why, one line per reason (`node(s) didn't match Pod's node affinity/selector`).
    public var reasons: [String] {
        get { self.details?.reasons ?? [] }
        set { self.details = Details.make(reasons: newValue, plugin: self.plugin, error: self.error) }
    }
    /// The plugin that returned this status; the runtime fills it in.
    public var plugin: String? {
        get { self.details?.plugin }
        set { self.details = Details.make(reasons: self.reasons, plugin: newValue, error: self.error) }
    }
    /// The underlying error of a ``Code/error`` status.
    public var error: (any Error)? {
        get { self.details?.error }
        set { self.details = Details.make(reasons: self.reasons, plugin: self.plugin, error: newValue) }
    }

    /// Makes a status.
    public init(_ code: Code, reasons: [String] = [], plugin: String? = nil, error: (any Error)? = nil) {
        self.code = code
        self.details = Details.make(reasons: reasons, plugin: plugin, error: error)
    }

    /// A status with nothing but its code.
    private init(plain code: Code) {
        self.code = code
        self.details = nil
    }

    /// The pod may go on.
    public static var success: PluginStatus { PluginStatus(plain: .success) }
    /// Skips the plugin's later extension points for this pod.
    public static var skip: PluginStatus { PluginStatus(plain: .skip) }
    /// A Permit plugin asks to wait.
    public static var wait: PluginStatus { PluginStatus(plain: .wait) }

    /// The pod does not fit; preemption may help.
    public static func unschedulable(_ reasons: String...) -> PluginStatus {
        PluginStatus(.unschedulable, reasons: reasons)
    }

    /// The pod does not fit and preemption cannot help.
    public static func unschedulableAndUnresolvable(_ reasons: String...) -> PluginStatus {
        PluginStatus(.unschedulableAndUnresolvable, reasons: reasons)
    }

    /// The pod stays pending until an event (PreEnqueue).
    public static func pending(_ reasons: String...) -> PluginStatus {
        PluginStatus(.pending, reasons: reasons)
    }

    /// An internal error.
    public static func error(_ error: any Error) -> PluginStatus {
        PluginStatus(.error, reasons: ["\(error)"], error: error)
    }

    /// An internal error described by a message.
    public static func error(_ message: String) -> PluginStatus {
        PluginStatus(.error, reasons: [message], error: SchedulerError(message))
    }

    /// `true` for ``Code/success``.
    @inlinable public var isSuccess: Bool { self.code == .success }
    /// `true` for ``Code/skip``.
    @inlinable public var isSkip: Bool { self.code == .skip }
    /// `true` for ``Code/wait``.
    @inlinable public var isWait: Bool { self.code == .wait }
    /// `true` for ``Code/error``.
    @inlinable public var isError: Bool { self.code == .error }
    /// `true` for the two unschedulable codes (and ``Code/pending``), the "does not fit" outcomes.
    @inlinable public var isRejected: Bool {
        self.code == .unschedulable || self.code == .unschedulableAndUnresolvable || self.code == .pending
    }

    /// The reasons joined with ", " (↔ `Status.Message()`).
    public var message: String { self.reasons.joined(separator: ", ") }

    /// The same status attributed to `plugin` (kept if already set).
    public func with(plugin name: String) -> PluginStatus {
        var copy = self
        if copy.plugin == nil { copy.plugin = name }
        return copy
    }

    public var description: String {
        var text = self.code.description
        if let plugin { text += " (\(plugin))" }
        if !self.reasons.isEmpty { text += ": " + self.message }
        return text
    }
}

/// An error of the scheduler itself, carrying a message (↔ a Go `fmt.Errorf`).
public struct SchedulerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Makes an error.
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}
