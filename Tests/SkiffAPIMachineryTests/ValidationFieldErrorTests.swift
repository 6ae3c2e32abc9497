import SkiffAPIMachinery
import Testing

/// `field.Path`, `field.Error` and `NewInvalid` formatting, and the value validators added for per-type
/// validation, against upstream's wording.
struct ValidationFieldErrorTests {
    @Test func pathsRenderAsUpstream() {
        let spec = FieldPath("spec")
        #expect(spec.description == "spec")
        #expect(spec.child("containers").index(0).child("image").description == "spec.containers[0].image")
        #expect(FieldPath("data").key("a.conf").description == "data[a.conf]")
        #expect(spec.child("template", "metadata").child("labels").description == "spec.template.metadata.labels")
        #expect(FieldPath("").description == "")
    }

    struct BodyCase: Sendable, CustomTestStringConvertible {
        var error: FieldError
        var body: String
        var reason: String
        var testDescription: String { self.body }
    }

    static let bodies: [BodyCase] = [
        BodyCase(error: .required(FieldPath("spec").child("containers"), ""), body: "Required value", reason: "FieldValueRequired"),
        BodyCase(
            error: .required(FieldPath("metadata").child("name"), "name or generateName is required"),
            body: "Required value: name or generateName is required",
            reason: "FieldValueRequired"
        ),
        BodyCase(
            error: .invalid(FieldPath("spec").child("replicas"), Int32(-1), "must be greater than or equal to 0"),
            body: "Invalid value: -1: must be greater than or equal to 0",
            reason: "FieldValueInvalid"
        ),
        BodyCase(
            error: .invalid(FieldPath("metadata").child("name"), "A\"b", "bad"),
            body: #"Invalid value: "A\"b": bad"#,
            reason: "FieldValueInvalid"
        ),
        BodyCase(
            error: .notSupported(FieldPath("spec").child("restartPolicy"), "Sometimes", ["Always", "OnFailure", "Never"]),
            body: #"Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never""#,
            reason: "FieldValueNotSupported"
        ),
        BodyCase(
            error: .duplicate(FieldPath("spec").child("containers").index(1).child("name"), "web"),
            body: #"Duplicate value: "web""#,
            reason: "FieldValueDuplicate"
        ),
        BodyCase(
            error: .forbidden(FieldPath("spec"), "pod updates may not add or remove containers"),
            body: "Forbidden: pod updates may not add or remove containers",
            reason: "FieldValueForbidden"
        ),
        BodyCase(
            error: .tooLong(FieldPath("metadata").child("annotations"), maxLength: 262144),
            body: "Too long: may not be more than 262144 bytes",
            reason: "FieldValueTooLong"
        ),
        BodyCase(
            error: .tooMany(FieldPath("endpoints"), actual: 1001, max: 1000),
            body: "Too many: 1001: must have at most 1000 items",
            reason: "FieldValueTooMany"
        ),
        BodyCase(
            error: .notFound(FieldPath("spec").child("containers").index(0).child("volumeMounts").index(0).child("name"), "data"),
            body: #"Not found: "data""#,
            reason: "FieldValueNotFound"
        ),
        BodyCase(
            error: .invalid(FieldPath("x"), .null, "must not update from a positive integer to nil value"),
            body: "Invalid value: null: must not update from a positive integer to nil value",
            reason: "FieldValueInvalid"
        ),
    ]

    @Test(arguments: Self.bodies)
    func errorBodiesReadAsUpstream(_ c: BodyCase) {
        #expect(c.error.body == c.body)
        #expect(c.error.kind.rawValue == c.reason)
        #expect(c.error.description == c.error.field + ": " + c.body)
    }

    @Test func oneErrorIsNotBracketed() {
        let error = APIError.invalid(
            group: "",
            kind: "Pod",
            name: "x",
            errors: [.required(FieldPath("spec").child("containers").index(0).child("image"), "")]
        )
        #expect(error.code == 422)
        #expect(error.reason == .invalid)
        #expect(error.message == #"Pod "x" is invalid: spec.containers[0].image: Required value"#)
        #expect(error.details?.causes?.first?.message == "Required value")
        #expect(error.details?.causes?.first?.field == "spec.containers[0].image")
        #expect(error.details?.causes?.first?.reason == "FieldValueRequired")
    }

    @Test func severalErrorsAreBracketedAndRepeatedMessagesAppearOnce() {
        let image = FieldError.required(FieldPath("spec").child("containers").index(0).child("image"), "")
        let error = APIError.invalid(
            group: "apps",
            kind: "Deployment",
            name: "web",
            errors: [.required(FieldPath("spec").child("containers").index(0).child("name"), ""), image, image]
        )
        #expect(
            error.message
                == #"Deployment.apps "web" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]"#
        )
        #expect(error.details?.causes?.count == 3)
        #expect(error.details?.group == "apps")
        #expect(error.details?.kind == "Deployment")
    }

    @Test func legacyCausesCarryTheirBodyOnly() {
        let error = APIError.invalid(
            group: "autoscaling",
            kind: "Scale",
            name: "web",
            causes: [
                APIError.Cause(
                    field: "spec.replicas",
                    reason: "FieldValueInvalid",
                    message: "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
                )
            ]
        )
        #expect(error.message == #"Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#)
        #expect(error.details?.causes?.first?.message == "Invalid value: -1: must be greater than or equal to 0")
    }

    @Test func goSyntaxRendersMapsAndSlices() {
        #expect(GoSyntax.stringMap(["b": "2", "a": "1"]) == #"map[string]string{"a":"1", "b":"2"}"#)
        #expect(GoSyntax.stringMap(nil) == "map[string]string(nil)")
        #expect(GoSyntax.stringSlice(["10.0.0.1"]) == #"[]string{"10.0.0.1"}"#)
        #expect(GoSyntax.stringSlice(nil) == "[]string(nil)")
    }

    struct ValueCase: Sendable, CustomTestStringConvertible {
        var value: String
        var valid: Bool
        var testDescription: String { "\(self.value) \(self.valid ? "valid" : "invalid")" }
    }

    @Test(arguments: [
        ValueCase(value: "25%", valid: true), ValueCase(value: "0%", valid: true), ValueCase(value: "%", valid: false),
        ValueCase(value: "25", valid: false), ValueCase(value: "2.5%", valid: false), ValueCase(value: "-1%", valid: false),
    ])
    func percents(_ c: ValueCase) {
        let problems = Validation.isValidPercent(c.value)
        #expect(problems.isEmpty == c.valid)
        if !c.valid {
            #expect(
                problems == [
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
                ]
            )
        }
    }

    @Test(arguments: [
        ValueCase(value: "10.0.0.1", valid: true), ValueCase(value: "255.255.255.255", valid: true),
        ValueCase(value: "::1", valid: true), ValueCase(value: "2001:db8::ffff", valid: true),
        ValueCase(value: "::ffff:10.0.0.1", valid: true), ValueCase(value: "fe80::1:2:3:4", valid: true),
        ValueCase(value: "1:2:3:4:5:6:7:8", valid: true), ValueCase(value: "256.0.0.1", valid: false),
        ValueCase(value: "10.0.0", valid: false), ValueCase(value: "abc", valid: false), ValueCase(value: "", valid: false),
        ValueCase(value: "1::2::3", valid: false), ValueCase(value: "1:2:3:4:5:6:7:8:9", valid: false),
    ])
    func ipAddresses(_ c: ValueCase) {
        #expect(Validation.isIPAddress(c.value) == c.valid)
    }

    @Test func environmentVariableNames() {
        #expect(Validation.isRelaxedEnvVarName("MY VAR.1").isEmpty)
        #expect(
            Validation.isRelaxedEnvVarName("A=B")
                == ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
        )
        #expect(Validation.isRelaxedEnvVarName("") == ["environment variable name must be non-empty"])
        #expect(Validation.isEnvVarName("MY_VAR").isEmpty)
        #expect(Validation.isEnvVarName("1A").count == 1)
        #expect(Validation.isEnvVarName("..a").last == "must not start with '..'")
    }

    @Test func cidrs() {
        #expect(Validation.isValidCIDR("10.0.0.0/8").isEmpty)
        #expect(Validation.isValidCIDR("2001:db8::/64").isEmpty)
        #expect(Validation.isValidCIDR("10.0.0.0/33") == ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"])
        #expect(!Validation.isValidCIDR("10.0.0.0").isEmpty)
    }
}
