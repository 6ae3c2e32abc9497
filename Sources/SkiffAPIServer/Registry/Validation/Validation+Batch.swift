import SkiffAPI
import SkiffAPIMachinery

/// Upstream's Job and CronJob validation (↔ `pkg/apis/batch/validation`).
enum BatchValidation {
    static let maxParallelismForIndexedJob: Int32 = 100_000
    static let maxCompletionsForIndexedJob: Int32 = 100_000

    /// `ValidateJob`: metadata (ReplicationController name rules), spec, selector and the indexed pod hostname.
    static func job(_ job: BatchV1.Job) -> [FieldError] {
        var errors = CommonValidation.objectMeta(job.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let spec = job.spec ?? BatchV1.JobSpec()
        errors += Self.jobSpecWithSelector(spec, path: FieldPath("spec"))
        if spec.completionMode == "Indexed", let completions = spec.completions, completions > 0 {
            let hostname = "\(job.metadata.name ?? "")-\(completions - 1)"
            if !Validation.isDNS1123Label(hostname).isEmpty {
                errors.append(
                    .invalid(
                        FieldPath("metadata").child("name"),
                        job.metadata.name ?? "",
                        "will not able to create pod with invalid DNS label: \(hostname)"
                    )
                )
            }
        }
        return errors
    }

    /// `ValidateJobSpec`: the spec, a selector, and the selector matching the template.
    private static func jobSpecWithSelector(_ spec: BatchV1.JobSpec, path: FieldPath) -> [FieldError] {
        var errors = Self.jobSpec(spec, path: path)
        if let selector = spec.selector {
            errors += CommonValidation.labelSelector(selector, path: path.child("selector"))
        } else {
            errors.append(.required(path.child("selector"), ""))
        }
        if let selector = WorkloadValidation.selector(spec.selector) {
            errors += WorkloadValidation.selectorMatches(
                selector,
                template: spec.template,
                path: path.child("template"),
                requireNonEmpty: false
            )
        }
        return errors
    }

    /// `validateJobSpec`.
    static func jobSpec(_ spec: BatchV1.JobSpec, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        errors += CommonValidation.nonnegative(spec.parallelism, path: path.child("parallelism"))
        errors += CommonValidation.nonnegative(spec.completions, path: path.child("completions"))
        errors += CommonValidation.nonnegative(spec.activeDeadlineSeconds, path: path.child("activeDeadlineSeconds"))
        errors += CommonValidation.nonnegative(spec.backoffLimit, path: path.child("backoffLimit"))
        errors += CommonValidation.nonnegative(spec.ttlSecondsAfterFinished, path: path.child("ttlSecondsAfterFinished"))
        let indexed = spec.completionMode == "Indexed"
        if let perIndex = spec.backoffLimitPerIndex {
            errors += CommonValidation.nonnegative(perIndex, path: path.child("backoffLimitPerIndex"))
            if !indexed {
                errors.append(.forbidden(path.child("backoffLimitPerIndex"), "requires indexed completion mode"))
            }
        }
        if let maxFailed = spec.maxFailedIndexes {
            errors += CommonValidation.nonnegative(maxFailed, path: path.child("maxFailedIndexes"))
            if spec.backoffLimitPerIndex == nil {
                errors.append(.required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"))
            }
        }
        if let mode = spec.completionMode {
            if mode != "NonIndexed" && mode != "Indexed" {
                errors.append(.notSupported(path.child("completionMode"), mode, ["NonIndexed", "Indexed"]))
            }
            if mode == "Indexed" {
                if spec.completions == nil {
                    errors.append(.required(path.child("completions"), "when completion mode is Indexed"))
                }
                if let parallelism = spec.parallelism, parallelism > Self.maxParallelismForIndexedJob {
                    errors.append(
                        .invalid(
                            path.child("parallelism"),
                            parallelism,
                            "must be less than or equal to \(Self.maxParallelismForIndexedJob) when completion mode is Indexed"
                        )
                    )
                }
                if let completions = spec.completions, let maxFailed = spec.maxFailedIndexes, maxFailed > completions {
                    errors.append(
                        .invalid(path.child("maxFailedIndexes"), maxFailed, "must be less than or equal to completions")
                    )
                }
            }
        }
        if let policy = spec.podReplacementPolicy {
            if spec.podFailurePolicy != nil {
                if policy != "Failed" {
                    errors.append(.notSupported(path.child("podReplacementPolicy"), policy, ["Failed"]))
                }
            } else if policy != "Failed" && policy != "TerminatingOrFailed" {
                errors.append(.notSupported(path.child("podReplacementPolicy"), policy, ["Failed", "TerminatingOrFailed"]))
            }
        }
        errors += PodValidation.podTemplateSpec(spec.template, path: path.child("template"))
        let restartPolicy = spec.template.spec?.restartPolicy ?? ""
        let restartPath = path.child("template", "spec", "restartPolicy")
        if restartPolicy == "Always" || restartPolicy.isEmpty {
            errors.append(.required(restartPath, "valid values: \"OnFailure\", \"Never\""))
        } else if restartPolicy != "OnFailure" && restartPolicy != "Never" {
            errors.append(.notSupported(restartPath, restartPolicy, ["OnFailure", "Never"]))
        } else if spec.podFailurePolicy != nil && restartPolicy != "Never" {
            errors.append(
                .invalid(restartPath, restartPolicy, "only \"Never\" is supported when podFailurePolicy is specified")
            )
        }
        return errors
    }

    /// `ValidateJobUpdate` (spec part): the selector and, unless the mutable scheduling directives apply, the
    /// template are immutable; so are completions (when not indexed), completionMode and the failure policies.
    static func jobUpdate(_ new: BatchV1.Job, old: BatchV1.Job) -> [FieldError] {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        errors += Self.job(new)
        let path = FieldPath("spec")
        let spec = new.spec ?? BatchV1.JobSpec()
        let oldSpec = old.spec ?? BatchV1.JobSpec()
        if spec.completionMode != "Indexed", spec.completions != oldSpec.completions {
            errors.append(.invalid(path.child("completions"), Self.value(spec.completions), CommonValidation.immutableMessage))
        }
        errors += CommonValidation.immutableSelector(spec.selector, old: oldSpec.selector, path: path.child("selector"))
        var oldTemplate = oldSpec.template
        // Mutable scheduling directives: a suspended Job that never started may change them.
        if spec.suspend == true, old.status?.startTime == nil {
            oldTemplate.spec?.affinity = spec.template.spec?.affinity
            oldTemplate.spec?.nodeSelector = spec.template.spec?.nodeSelector
            oldTemplate.spec?.tolerations = spec.template.spec?.tolerations
            oldTemplate.spec?.schedulingGates = spec.template.spec?.schedulingGates
            oldTemplate.metadata.annotations = spec.template.metadata.annotations
            oldTemplate.metadata.labels = spec.template.metadata.labels
        }
        if spec.template != oldTemplate {
            errors.append(
                .invalid(path.child("template"), .formatted(Self.templateValue(spec.template)), CommonValidation.immutableMessage)
            )
        }
        if spec.completionMode != oldSpec.completionMode {
            errors.append(
                .invalid(
                    path.child("completionMode"),
                    spec.completionMode.map { FieldError.Value.string($0) } ?? FieldError.Value.null,
                    CommonValidation.immutableMessage
                )
            )
        }
        if spec.podFailurePolicy != oldSpec.podFailurePolicy {
            errors.append(.invalid(path.child("podFailurePolicy"), .formatted("batch.PodFailurePolicy{…}"), CommonValidation.immutableMessage))
        }
        if spec.backoffLimitPerIndex != oldSpec.backoffLimitPerIndex {
            errors.append(
                .invalid(path.child("backoffLimitPerIndex"), Self.value(spec.backoffLimitPerIndex), CommonValidation.immutableMessage)
            )
        }
        if spec.managedBy != oldSpec.managedBy {
            errors.append(
                .invalid(path.child("managedBy"), spec.managedBy.map { FieldError.Value.string($0) } ?? FieldError.Value.null, CommonValidation.immutableMessage)
            )
        }
        return errors
    }

    private static func value(_ number: Int32?) -> FieldError.Value {
        number.map { FieldError.Value.int(Int64($0)) } ?? FieldError.Value.null
    }

    /// The template in messages: upstream prints the internal Go struct; we print its JSON.
    private static func templateValue(_ template: CoreV1.PodTemplateSpec) -> String {
        (try? JSONValueEncoder().encode(template)).map { String(decoding: $0.serialized(), as: UTF8.self) } ?? "core.PodTemplateSpec{}"
    }

    // MARK: CronJob

    /// `ValidateCronJobCreate`.
    static func cronJob(_ cronJob: BatchV1.CronJob, old: BatchV1.CronJob? = nil) -> [FieldError] {
        var errors = CommonValidation.objectMeta(cronJob.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        errors += Self.cronJobSpec(cronJob.spec, old: old?.spec, path: FieldPath("spec"))
        if old == nil, (cronJob.metadata.name ?? "").utf8.count > Validation.dns1035LabelMaxLength - 11 {
            errors.append(
                .invalid(FieldPath("metadata").child("name"), cronJob.metadata.name ?? "", "must be no more than 52 characters")
            )
        }
        return errors
    }

    /// `validateCronJobSpec`.
    private static func cronJobSpec(_ spec: BatchV1.CronJobSpec, old: BatchV1.CronJobSpec?, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let schedulePath = path.child("schedule")
        if spec.schedule.isEmpty {
            errors.append(.required(schedulePath, ""))
        } else {
            do {
                _ = try CronSchedule(parsing: spec.schedule)
            } catch {
                errors.append(.invalid(schedulePath, spec.schedule, error.description))
            }
            let allowTZ = old?.schedule.contains("TZ") ?? false
            if !allowTZ, spec.schedule.contains("TZ") {
                errors.append(
                    .invalid(schedulePath, spec.schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
                )
            }
        }
        errors += CommonValidation.nonnegative(spec.startingDeadlineSeconds, path: path.child("startingDeadlineSeconds"))
        if old == nil || old?.timeZone != spec.timeZone, let timeZone = spec.timeZone {
            let zonePath = path.child("timeZone")
            if timeZone.isEmpty {
                errors.append(.invalid(zonePath, timeZone, "timeZone must be nil or non-empty string"))
            } else if timeZone.lowercased() == "local" {
                errors.append(
                    .invalid(zonePath, timeZone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")
                )
            } else if !Self.isTimeZoneName(timeZone) {
                errors.append(.invalid(zonePath, timeZone, "unknown time zone \(timeZone)"))
            }
        }
        let concurrency = spec.concurrencyPolicy ?? ""
        switch concurrency {
        case "Allow", "Forbid", "Replace": break
        case "": errors.append(.required(path.child("concurrencyPolicy"), ""))
        default:
            errors.append(.notSupported(path.child("concurrencyPolicy"), concurrency, ["Allow", "Forbid", "Replace"]))
        }
        let templatePath = path.child("jobTemplate")
        let jobSpec = spec.jobTemplate.spec ?? BatchV1.JobSpec()
        errors += Self.jobSpec(jobSpec, path: templatePath.child("spec"))
        if let selector = jobSpec.selector {
            errors.append(
                .invalid(
                    templatePath.child("spec", "selector"),
                    .formatted(CommonValidation.goLabelSelector(selector)),
                    "`selector` will be auto-generated"
                )
            )
        }
        if jobSpec.manualSelector == true {
            errors.append(.notSupported(templatePath.child("spec", "manualSelector"), .bool(true), ["nil", "false"]))
        }
        errors += CommonValidation.nonnegative(spec.successfulJobsHistoryLimit, path: path.child("successfulJobsHistoryLimit"))
        errors += CommonValidation.nonnegative(spec.failedJobsHistoryLimit, path: path.child("failedJobsHistoryLimit"))
        return errors
    }

    /// A plausible IANA zone name (`UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`).
    private static func isTimeZoneName(_ name: String) -> Bool {
        !name.hasPrefix("/") && !name.hasSuffix("/") && !name.contains("..")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_-+".contains($0)) }
    }
}
