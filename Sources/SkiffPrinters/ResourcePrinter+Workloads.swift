#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

extension ResourcePrinter {
    /// Deployments: `printDeployment`. READY is `ready/desired`; an unset `spec.replicas` is the API default, 1.
    static var deployments: ResourcePrinter {
        .typed(
            AppsV1.Deployment.self,
            [
                Columns.name,
                Columns.column("Ready", "Number of the pod with ready state"),
                Columns.column("Up-to-date", Columns.apps("DeploymentStatus", "updatedReplicas")),
                Columns.column("Available", Columns.apps("DeploymentStatus", "availableReplicas")),
                Columns.age,
                Columns.containers,
                Columns.images,
                Columns.column("Selector", priority: 1, Columns.apps("DeploymentSpec", "selector")),
            ]
        ) { deployment, now in
            let desired = deployment.spec?.replicas ?? 1
            let (names, images) = Format.containerCells(deployment.spec?.template.spec?.containers)
            return Row(cells: [
                .string(deployment.metadata.name ?? ""),
                .string("\(deployment.status?.readyReplicas ?? 0)/\(desired)"),
                .int(Int64(deployment.status?.updatedReplicas ?? 0)),
                .int(Int64(deployment.status?.availableReplicas ?? 0)),
                .string(Format.age(deployment.metadata.creationTimestamp, now: now)),
                .string(names),
                .string(images),
                .string(Format.selectorString(deployment.spec?.selector)),
            ])
        }
    }

    /// ReplicaSets: `printReplicaSet`.
    static var replicaSets: ResourcePrinter {
        .typed(
            AppsV1.ReplicaSet.self,
            [
                Columns.name,
                Columns.column("Desired", "integer", Columns.apps("ReplicaSetSpec", "replicas")),
                Columns.column("Current", "integer", Columns.apps("ReplicaSetStatus", "replicas")),
                Columns.column("Ready", "integer", Columns.apps("ReplicaSetStatus", "readyReplicas")),
                Columns.age,
                Columns.containers,
                Columns.images,
                Columns.column("Selector", priority: 1, Columns.apps("ReplicaSetSpec", "selector")),
            ]
        ) { replicaSet, now in
            let (names, images) = Format.containerCells(replicaSet.spec?.template?.spec?.containers)
            return Row(cells: [
                .string(replicaSet.metadata.name ?? ""),
                .int(Int64(replicaSet.spec?.replicas ?? 1)),
                .int(Int64(replicaSet.status?.replicas ?? 0)),
                .int(Int64(replicaSet.status?.readyReplicas ?? 0)),
                .string(Format.age(replicaSet.metadata.creationTimestamp, now: now)),
                .string(names),
                .string(images),
                .string(Format.labelSelector(replicaSet.spec?.selector)),
            ])
        }
    }

    /// ReplicationControllers: `printReplicationController`; the selector is a plain label set.
    static var replicationControllers: ResourcePrinter {
        .typed(
            CoreV1.ReplicationController.self,
            [
                Columns.name,
                Columns.column("Desired", "integer", Columns.core("ReplicationControllerSpec", "replicas")),
                Columns.column("Current", "integer", Columns.core("ReplicationControllerStatus", "replicas")),
                Columns.column("Ready", "integer", Columns.core("ReplicationControllerStatus", "readyReplicas")),
                Columns.age,
                Columns.containers,
                Columns.images,
                Columns.column("Selector", priority: 1, Columns.core("ReplicationControllerSpec", "selector")),
            ]
        ) { controller, now in
            let (names, images) = Format.containerCells(controller.spec?.template?.spec?.containers)
            return Row(cells: [
                .string(controller.metadata.name ?? ""),
                .int(Int64(controller.spec?.replicas ?? 1)),
                .int(Int64(controller.status?.replicas ?? 0)),
                .int(Int64(controller.status?.readyReplicas ?? 0)),
                .string(Format.age(controller.metadata.creationTimestamp, now: now)),
                .string(names),
                .string(images),
                .string(Format.labels(controller.spec?.selector)),
            ])
        }
    }

    /// DaemonSets: `printDaemonSet`.
    static var daemonSets: ResourcePrinter {
        .typed(
            AppsV1.DaemonSet.self,
            [
                Columns.name,
                Columns.column("Desired", "integer", Columns.apps("DaemonSetStatus", "desiredNumberScheduled")),
                Columns.column("Current", "integer", Columns.apps("DaemonSetStatus", "currentNumberScheduled")),
                Columns.column("Ready", "integer", Columns.apps("DaemonSetStatus", "numberReady")),
                Columns.column("Up-to-date", "integer", Columns.apps("DaemonSetStatus", "updatedNumberScheduled")),
                Columns.column("Available", "integer", Columns.apps("DaemonSetStatus", "numberAvailable")),
                Columns.column("Node Selector", Columns.core("PodSpec", "nodeSelector")),
                Columns.age,
                Columns.containers,
                Columns.images,
                Columns.column("Selector", priority: 1, Columns.apps("DaemonSetSpec", "selector")),
            ]
        ) { daemonSet, now in
            let podSpec = daemonSet.spec?.template.spec
            let (names, images) = Format.containerCells(podSpec?.containers)
            let status = daemonSet.status
            return Row(cells: [
                .string(daemonSet.metadata.name ?? ""),
                .int(Int64(status?.desiredNumberScheduled ?? 0)),
                .int(Int64(status?.currentNumberScheduled ?? 0)),
                .int(Int64(status?.numberReady ?? 0)),
                .int(Int64(status?.updatedNumberScheduled ?? 0)),
                .int(Int64(status?.numberAvailable ?? 0)),
                .string(Format.labels(podSpec?.nodeSelector)),
                .string(Format.age(daemonSet.metadata.creationTimestamp, now: now)),
                .string(names),
                .string(images),
                .string(Format.labelSelector(daemonSet.spec?.selector)),
            ])
        }
    }

    /// StatefulSets: `printStatefulSet`.
    static var statefulSets: ResourcePrinter {
        .typed(
            AppsV1.StatefulSet.self,
            [
                Columns.name,
                Columns.column("Ready", "Number of the pod with ready state"),
                Columns.age,
                Columns.containers,
                Columns.images,
            ]
        ) { statefulSet, now in
            let (names, images) = Format.containerCells(statefulSet.spec?.template.spec?.containers)
            return Row(cells: [
                .string(statefulSet.metadata.name ?? ""),
                .string("\(statefulSet.status?.readyReplicas ?? 0)/\(statefulSet.spec?.replicas ?? 1)"),
                .string(Format.age(statefulSet.metadata.creationTimestamp, now: now)),
                .string(names),
                .string(images),
            ])
        }
    }

    /// ControllerRevisions: `printControllerRevision`; the controller is `kind.group/name` of the controller owner.
    static var controllerRevisions: ResourcePrinter {
        .typed(
            AppsV1.ControllerRevision.self,
            [
                Columns.name,
                Columns.column("Controller", "Controller of the object"),
                Columns.column("Revision", Columns.apps("ControllerRevision", "revision")),
                Columns.age,
            ]
        ) { revision, now in
            var controller = "<none>"
            if let owner = revision.metadata.ownerReferences?.first(where: { $0.controller == true }) {
                // schema.ParseGroupVersion: "v1" is the core group, "apps/v1" the group "apps".
                let parts = owner.apiVersion.split(separator: "/", omittingEmptySubsequences: false)
                let group = parts.count == 2 ? String(parts[0]) : ""
                if group.isEmpty, owner.kind.isEmpty {
                    controller = owner.name
                } else {
                    let groupKind = group.isEmpty ? owner.kind : owner.kind + "." + group
                    controller = groupKind.lowercased() + "/" + owner.name
                }
            }
            return Row(cells: [
                .string(revision.metadata.name ?? ""),
                .string(controller),
                .int(revision.revision),
                .string(Format.age(revision.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    /// Jobs: `printJob`. Status from the conditions; completions `succeeded/completions` (or `/1 of parallelism`).
    static var jobs: ResourcePrinter {
        .typed(
            BatchV1.Job.self,
            [
                Columns.name,
                Columns.column("Status", "Status of the job."),
                Columns.column("Completions", Columns.doc("io.k8s.api.batch.v1.JobStatus", "succeeded")),
                Columns.column("Duration", "Time required to complete the job."),
                Columns.age,
                Columns.containers,
                Columns.images,
                Columns.column("Selector", priority: 1, Columns.doc("io.k8s.api.batch.v1.JobSpec", "selector")),
            ]
        ) { job, now in
            let spec = job.spec
            let status = job.status
            let succeeded = status?.succeeded ?? 0
            let completions: String
            if let wanted = spec?.completions {
                completions = "\(succeeded)/\(wanted)"
            } else if let parallelism = spec?.parallelism, parallelism > 1 {
                completions = "\(succeeded)/1 of \(parallelism)"
            } else {
                completions = "\(succeeded)/1"
            }
            var duration = ""
            if let start = status?.startTime {
                if let completion = status?.completionTime {
                    duration = HumanDuration.format(from: start.date, to: completion.date)
                } else {
                    duration = HumanDuration.format(from: start.date, to: now)
                }
            }
            let conditions = status?.conditions ?? []
            func has(_ type: String) -> Bool { conditions.first { $0.type == type }?.status == "True" }
            let state: String
            if has("Complete") {
                state = "Complete"
            } else if has("Failed") {
                state = "Failed"
            } else if job.metadata.deletionTimestamp != nil {
                state = "Terminating"
            } else if has("Suspended") {
                state = "Suspended"
            } else if has("FailureTarget") {
                state = "FailureTarget"
            } else {
                state = "Running"
            }
            let (names, images) = Format.containerCells(spec?.template.spec?.containers)
            return Row(cells: [
                .string(job.metadata.name ?? ""),
                .string(state),
                .string(completions),
                .string(duration),
                .string(Format.age(job.metadata.creationTimestamp, now: now)),
                .string(names),
                .string(images),
                .string(Format.labelSelector(spec?.selector)),
            ])
        }
    }

    /// CronJobs: `printCronJob`.
    static var cronJobs: ResourcePrinter {
        let spec = "io.k8s.api.batch.v1.CronJobSpec"
        let status = "io.k8s.api.batch.v1.CronJobStatus"
        return .typed(
            BatchV1.CronJob.self,
            [
                Columns.name,
                Columns.column("Schedule", Columns.doc(spec, "schedule")),
                Columns.column("Timezone", Columns.doc(spec, "timeZone")),
                Columns.column("Suspend", "boolean", Columns.doc(spec, "suspend")),
                Columns.column("Active", "integer", Columns.doc(status, "active")),
                Columns.column("Last Schedule", Columns.doc(status, "lastScheduleTime")),
                Columns.age,
                Columns.containers,
                Columns.images,
                Columns.column("Selector", priority: 1, Columns.doc("io.k8s.api.batch.v1.JobSpec", "selector")),
            ]
        ) { cronJob, now in
            var lastSchedule = "<none>"
            if let last = cronJob.status?.lastScheduleTime { lastSchedule = Format.age(last, now: now) }
            let jobSpec = cronJob.spec.jobTemplate.spec
            let (names, images) = Format.containerCells(jobSpec?.template.spec?.containers)
            return Row(cells: [
                .string(cronJob.metadata.name ?? ""),
                .string(cronJob.spec.schedule),
                .string(cronJob.spec.timeZone ?? "<none>"),
                .string(Format.boolPointer(cronJob.spec.suspend)),
                .int(Int64(cronJob.status?.active?.count ?? 0)),
                .string(lastSchedule),
                .string(Format.age(cronJob.metadata.creationTimestamp, now: now)),
                .string(names),
                .string(images),
                .string(Format.labelSelector(jobSpec?.selector)),
            ])
        }
    }
}
