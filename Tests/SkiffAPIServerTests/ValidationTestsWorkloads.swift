import Foundation
import SkiffAPI
import SkiffAPIMachinery
@testable import SkiffAPIServer
import Testing

let template = #"{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}"#

struct WorkloadValidationTests {
    static let cases: [ValidationCase] = [
        ValidationCase(
            name: "a valid deployment",
            plural: "deployments",
            group: "apps",
            manifest: #"{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":\#(template)}}"#,
            causes: []
        ),
        ValidationCase(
            name: "deployment selector is required",
            plural: "deployments",
            group: "apps",
            manifest: #"{"metadata":{"name":"web"},"spec":{"template":\#(template)}}"#,
            causes: [
                ExpectedCause("spec.selector", "FieldValueRequired", "Required value"),
                ExpectedCause(
                    "spec.template.metadata.labels",
                    "FieldValueInvalid",
                    #"Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`"#
                ),
            ]
        ),
        ValidationCase(
            name: "deployment selector must match the template labels",
            plural: "deployments",
            group: "apps",
            manifest: #"{"metadata":{"name":"web"},"spec":{"replicas":-1,"selector":{"matchLabels":{"app":"api"}},"template":\#(template)}}"#,
            causes: [
                ExpectedCause("spec.replicas", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
                ExpectedCause(
                    "spec.template.metadata.labels",
                    "FieldValueInvalid",
                    #"Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`"#
                ),
            ]
        ),
        ValidationCase(
            name: "deployment strategy",
            plural: "deployments",
            group: "apps",
            manifest: #"{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":\#(template),"strategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":"110%"}}}}"#,
            causes: [
                ExpectedCause(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    "FieldValueInvalid",
                    "Invalid value: 110%: must not be greater than 100%"
                )
            ]
        ),
        ValidationCase(
            name: "deployment rolling update may not be 0 and 0",
            plural: "deployments",
            group: "apps",
            manifest: #"{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":\#(template),"strategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":"0%"}}}}"#,
            causes: [
                ExpectedCause(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    "FieldValueInvalid",
                    "Invalid value: 0%: may not be 0 when `maxSurge` is 0"
                )
            ]
        ),
        ValidationCase(
            name: "deployment pods restart always and template labels are validated",
            plural: "deployments",
            group: "apps",
            manifest: #"{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web","x":"-"}},"spec":{"restartPolicy":"Never","containers":[{"name":"web","image":"nginx"}]}}}}"#,
            causes: [
                ExpectedCause(
                    "spec.template.labels",
                    "FieldValueInvalid",
                    #"Invalid value: "-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#
                ),
                ExpectedCause(
                    "spec.template.spec.restartPolicy",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Never": supported values: "Always""#
                ),
            ]
        ),
        ValidationCase(
            name: "replica set containers are validated",
            plural: "replicasets",
            group: "apps",
            manifest: #"{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web"}]}}}}"#,
            causes: [ExpectedCause("spec.template.spec.containers[0].image", "FieldValueRequired", "Required value")]
        ),
        ValidationCase(
            name: "daemon set selector must match",
            plural: "daemonsets",
            group: "apps",
            manifest: #"{"metadata":{"name":"agent"},"spec":{"selector":{"matchLabels":{"app":"other"}},"template":\#(template)}}"#,
            causes: [
                ExpectedCause(
                    "spec.template.metadata.labels",
                    "FieldValueInvalid",
                    #"Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`"#
                )
            ]
        ),
        ValidationCase(
            name: "stateful set policies",
            plural: "statefulsets",
            group: "apps",
            manifest: #"{"metadata":{"name":"db"},"spec":{"podManagementPolicy":"Random","selector":{"matchLabels":{"app":"web"}},"template":\#(template)}}"#,
            causes: [
                ExpectedCause(
                    "spec.podManagementPolicy",
                    "FieldValueInvalid",
                    #"Invalid value: "Random": must be 'OrderedReady' or 'Parallel'"#
                )
            ]
        ),
        ValidationCase(
            name: "replication controller selector defaults from the template",
            plural: "replicationcontrollers",
            manifest: #"{"metadata":{"name":"rc"},"spec":{"template":\#(template)}}"#,
            causes: []
        ),
        ValidationCase(
            name: "a valid job gets a generated selector",
            plural: "jobs",
            group: "batch",
            manifest: #"{"metadata":{"name":"pi"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}"#,
            causes: []
        ),
        ValidationCase(
            name: "job pods may not restart always",
            plural: "jobs",
            group: "batch",
            manifest: #"{"metadata":{"name":"pi"},"spec":{"backoffLimit":-1,"completionMode":"Sometimes","template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}}}}"#,
            causes: [
                ExpectedCause("spec.backoffLimit", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
                ExpectedCause(
                    "spec.completionMode",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed""#
                ),
                ExpectedCause(
                    "spec.template.spec.restartPolicy",
                    "FieldValueRequired",
                    #"Required value: valid values: "OnFailure", "Never""#
                ),
            ]
        ),
        ValidationCase(
            name: "indexed jobs need completions",
            plural: "jobs",
            group: "batch",
            manifest: #"{"metadata":{"name":"pi"},"spec":{"completionMode":"Indexed","parallelism":2,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}"#,
            causes: [ExpectedCause("spec.completions", "FieldValueRequired", "Required value: when completion mode is Indexed")]
        ),
        ValidationCase(
            name: "cron job schedule must parse",
            plural: "cronjobs",
            group: "batch",
            manifest: #"{"metadata":{"name":"tick"},"spec":{"schedule":"* * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}"#,
            causes: [
                ExpectedCause(
                    "spec.schedule",
                    "FieldValueInvalid",
                    #"Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]"#
                )
            ]
        ),
        ValidationCase(
            name: "cron job schedule ranges",
            plural: "cronjobs",
            group: "batch",
            manifest: #"{"metadata":{"name":"tick"},"spec":{"schedule":"0-70 * * * *","concurrencyPolicy":"Sometimes","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}"#,
            causes: [
                ExpectedCause(
                    "spec.schedule",
                    "FieldValueInvalid",
                    #"Invalid value: "0-70 * * * *": end of range (70) above maximum (59): 0-70"#
                ),
                ExpectedCause(
                    "spec.concurrencyPolicy",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace""#
                ),
            ]
        ),
        ValidationCase(
            name: "cron job names leave room for the job suffix",
            plural: "cronjobs",
            group: "batch",
            manifest: #"{"metadata":{"name":"\#(String(repeating: "a", count: 53))"},"spec":{"schedule":"@hourly","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}"#,
            causes: [
                ExpectedCause(
                    "metadata.name",
                    "FieldValueInvalid",
                    #"Invalid value: "\#(String(repeating: "a", count: 53))": must be no more than 52 characters"#
                )
            ]
        ),
    ]

    @Test(arguments: Self.cases)
    func workloadRules(_ c: ValidationCase) throws {
        #expect(try createCauses(c) == c.causes)
    }

    @Test func jobsGetAGeneratedSelectorAndDefaults() throws {
        let resource = try #require(ResourceRegistry.builtIn.resource(group: "batch", version: "v1", plural: "jobs"))
        var object = try ObjectCodec.decode(
            JSONValue.parse(
                Array(#"{"metadata":{"name":"pi"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}"#.utf8)
            ),
            as: resource
        ).object
        object.metadata.namespace = "default"
        object.metadata.uid = "uid-1"
        try ResourceStrategy.prepareForCreate(&object, resource: resource, now: Date())
        let job = try #require(object as? BatchV1.Job)
        #expect(job.spec?.selector?.matchLabels == ["batch.kubernetes.io/controller-uid": "uid-1"])
        #expect(job.spec?.template.metadata.labels?["job-name"] == "pi")
        #expect(job.spec?.template.metadata.labels?["batch.kubernetes.io/job-name"] == "pi")
        #expect(job.spec?.template.metadata.labels?["controller-uid"] == "uid-1")
        #expect(job.spec?.backoffLimit == 6)
        #expect(job.spec?.completions == 1)
        #expect(job.spec?.parallelism == 1)
        #expect(job.spec?.completionMode == "NonIndexed")
        #expect(job.spec?.suspend == false)
        #expect(job.spec?.podReplacementPolicy == "TerminatingOrFailed")
    }

    struct CronCase: Sendable, CustomTestStringConvertible {
        var schedule: String
        var error: String?
        var testDescription: String { self.schedule }
    }

    @Test(arguments: [
        CronCase(schedule: "*/5 * * * *", error: nil), CronCase(schedule: "0 0 1 jan-mar mon-fri", error: nil),
        CronCase(schedule: "@daily", error: nil), CronCase(schedule: "@every 1h30m", error: nil),
        CronCase(schedule: "", error: "empty spec string"),
        CronCase(schedule: "@sometimes", error: "unrecognized descriptor: @sometimes"),
        CronCase(schedule: "x * * * *", error: #"failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax"#),
        CronCase(schedule: "* * 0 * *", error: "beginning of range (0) below minimum (1): 0"),
        CronCase(schedule: "5-1 * * * *", error: "beginning of range (5) beyond end of range (1): 5-1"),
        CronCase(schedule: "*/0 * * * *", error: "step of range should be a positive number: */0"),
        CronCase(schedule: "1-2-3 * * * *", error: "too many hyphens: 1-2-3"),
        CronCase(schedule: "1 2 3 4 5 6", error: "expected exactly 5 fields, found 6: [1 2 3 4 5 6]"),
    ])
    func cronSchedules(_ c: CronCase) {
        do {
            _ = try CronSchedule(parsing: c.schedule)
            #expect(c.error == nil)
        } catch {
            #expect(error.description == c.error)
        }
    }
}
