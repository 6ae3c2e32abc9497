import SkiffControllerManager
import Testing

struct ControllerManagerConfigurationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var flag: [String]
        var enabled: [String]
        var testDescription: String { "--controllers=\(self.flag.joined(separator: ","))" }
    }

    static let all = [
        "namespace-controller", "serviceaccount-controller", "root-ca-certificate-publisher-controller",
        "resourcequota-controller", "garbage-collector-controller",
    ]

    @Test(arguments: [
        Case(flag: ["*"], enabled: all),
        Case(
            flag: ["*", "-serviceaccount-controller"],
            enabled: [
                "namespace-controller", "root-ca-certificate-publisher-controller", "resourcequota-controller",
                "garbage-collector-controller",
            ]
        ),
        Case(
            flag: ["*", "-namespace", "-resourcequota", "-garbagecollector"],
            enabled: ["serviceaccount-controller", "root-ca-certificate-publisher-controller"]
        ),
        Case(flag: ["namespace"], enabled: ["namespace-controller"]),
        Case(flag: ["root-ca-cert-publisher", "serviceaccount-controller"], enabled: ["serviceaccount-controller", "root-ca-certificate-publisher-controller"]),
        Case(flag: ["namespace-controller", "-namespace-controller"], enabled: []),
        Case(flag: [], enabled: []),
    ])
    func controllersFlagSelects(_ c: Case) throws {
        let configuration = ControllerManagerConfiguration(controllers: c.flag)
        try configuration.validate()
        #expect(Self.all.filter(configuration.isEnabled) == c.enabled)
    }

    @Test(arguments: [["bogus"], ["*", "-bogus"], ["namespace", "replicaset-controller"]])
    func unknownControllersAreRejected(_ flag: [String]) {
        #expect(throws: ControllerManagerError.self) { try ControllerManagerConfiguration(controllers: flag).validate() }
    }
}
