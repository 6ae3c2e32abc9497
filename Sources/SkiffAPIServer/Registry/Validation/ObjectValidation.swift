import SkiffAPI
import SkiffAPIMachinery

/// Per-type validation, as upstream's registry strategies run it (`Validate` on create, `ValidateUpdate` on
/// update): each kind's rules, or just the object metadata for kinds without specific rules.
///
/// The entry points return the problems in upstream's order; ``ResourceStrategy`` turns a non-empty list into
/// one 422 Invalid whose causes are the problems.
enum ObjectValidation {
    /// The problems of `object` as a new object of `resource`.
    static func validateCreate(_ object: any APIObject, resource: ServedResource) -> [FieldError] {
        switch object {
        case let pod as CoreV1.Pod: return PodValidation.validateCreate(pod)
        case let template as CoreV1.PodTemplate:
            return CommonValidation.objectMeta(template.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
                + PodValidation.podTemplateSpec(template.template ?? CoreV1.PodTemplateSpec(), path: FieldPath("template"))
        case let service as CoreV1.Service: return ServiceValidation.service(service)
        case let endpoints as CoreV1.Endpoints: return ServiceValidation.endpoints(endpoints)
        case let slice as DiscoveryV1.EndpointSlice: return ServiceValidation.endpointSlice(slice)
        case let deployment as AppsV1.Deployment: return WorkloadValidation.deployment(deployment)
        case let replicaSet as AppsV1.ReplicaSet: return WorkloadValidation.replicaSet(replicaSet)
        case let controller as CoreV1.ReplicationController: return WorkloadValidation.replicationController(controller)
        case let statefulSet as AppsV1.StatefulSet: return WorkloadValidation.statefulSet(statefulSet)
        case let daemonSet as AppsV1.DaemonSet: return WorkloadValidation.daemonSet(daemonSet)
        case let job as BatchV1.Job: return BatchValidation.job(job)
        case let cronJob as BatchV1.CronJob: return BatchValidation.cronJob(cronJob)
        case let configMap as CoreV1.ConfigMap: return ConfigValidation.configMap(configMap)
        case let secret as CoreV1.Secret: return ConfigValidation.secret(secret)
        case let namespace as CoreV1.Namespace: return ConfigValidation.namespace(namespace)
        case let node as CoreV1.Node: return ConfigValidation.node(node)
        case let account as CoreV1.ServiceAccount: return ConfigValidation.serviceAccount(account)
        case let role as RBACV1.Role: return ClusterValidation.role(role)
        case let role as RBACV1.ClusterRole: return ClusterValidation.clusterRole(role)
        case let binding as RBACV1.RoleBinding:
            return ClusterValidation.binding(
                meta: binding.metadata,
                roleRef: binding.roleRef,
                subjects: binding.subjects ?? [],
                namespaced: true
            )
        case let binding as RBACV1.ClusterRoleBinding:
            return ClusterValidation.binding(
                meta: binding.metadata,
                roleRef: binding.roleRef,
                subjects: binding.subjects ?? [],
                namespaced: false
            )
        case let ingress as NetworkingV1.Ingress: return ClusterValidation.ingress(ingress)
        case let volume as CoreV1.PersistentVolume: return ClusterValidation.persistentVolume(volume)
        case let claim as CoreV1.PersistentVolumeClaim: return ClusterValidation.persistentVolumeClaim(claim)
        case let lease as CoordinationV1.Lease: return ClusterValidation.lease(lease)
        case let event as CoreV1.Event: return ClusterValidation.event(event)
        case let priorityClass as SchedulingV1.PriorityClass: return ClusterValidation.priorityClass(priorityClass)
        case let quota as CoreV1.ResourceQuota: return ClusterValidation.resourceQuota(quota)
        case let limitRange as CoreV1.LimitRange: return ClusterValidation.limitRange(limitRange)
        case let budget as PolicyV1.PodDisruptionBudget: return ClusterValidation.podDisruptionBudget(budget)
        case let autoscaler as AutoscalingV2.HorizontalPodAutoscaler:
            return ClusterValidation.horizontalPodAutoscaler(autoscaler)
        case let autoscaler as AutoscalingV1.HorizontalPodAutoscaler:
            return ClusterValidation.horizontalPodAutoscaler(autoscaler)
        default:
            return CommonValidation.objectMeta(object.metadata, namespaced: resource.isNamespaced, name: Self.nameRule(resource))
        }
    }

    /// The problems of `object` replacing `old`: the create rules plus what may not change.
    ///
    /// `subresource` is the subresource written (`status` validates metadata only, as upstream's status
    /// strategies check status fields and nothing else of the spec; `binding`, which sets a pod's node, validates
    /// metadata only too).
    static func validateUpdate(_ object: any APIObject, old: any APIObject, resource: ServedResource, subresource: String?)
        -> [FieldError]
    {
        // The scale subresource writes the parent's spec, which its own rules validate (as upstream's scale REST
        // runs the parent strategy's update validation).
        if subresource == "ephemeralcontainers", let pod = object as? CoreV1.Pod, let oldPod = old as? CoreV1.Pod {
            return PodValidation.validateEphemeralContainersUpdate(pod, old: oldPod)
        }
        // pods/binding sets the node and the PodScheduled condition and nothing else, so only metadata is checked,
        // as upstream's binding REST writes the pod through a storage update that runs no pod validation.
        if let subresource, subresource != "scale" {
            return CommonValidation.objectMetaUpdate(object.metadata, old: old.metadata)
                + CommonValidation.objectMeta(object.metadata, namespaced: resource.isNamespaced, name: Self.nameRule(resource))
        }
        switch (object, old) {
        case (let pod as CoreV1.Pod, let oldPod as CoreV1.Pod):
            return PodValidation.validateUpdate(pod, old: oldPod, allowsBinding: true)
        case (let service as CoreV1.Service, let oldService as CoreV1.Service):
            return ServiceValidation.serviceUpdate(service, old: oldService)
        case (let deployment as AppsV1.Deployment, let oldDeployment as AppsV1.Deployment):
            return Self.metaUpdate(deployment, old) + WorkloadValidation.deployment(deployment)
                + WorkloadValidation.immutableSelector(
                    deployment.spec?.selector ?? MetaV1.LabelSelector(),
                    old: oldDeployment.spec?.selector ?? MetaV1.LabelSelector()
                )
        case (let replicaSet as AppsV1.ReplicaSet, let oldReplicaSet as AppsV1.ReplicaSet):
            return Self.metaUpdate(replicaSet, old) + WorkloadValidation.replicaSet(replicaSet)
                + WorkloadValidation.immutableSelector(
                    replicaSet.spec?.selector ?? MetaV1.LabelSelector(),
                    old: oldReplicaSet.spec?.selector ?? MetaV1.LabelSelector()
                )
        case (let daemonSet as AppsV1.DaemonSet, let oldDaemonSet as AppsV1.DaemonSet):
            return Self.metaUpdate(daemonSet, old) + WorkloadValidation.daemonSet(daemonSet)
                + WorkloadValidation.immutableSelector(
                    daemonSet.spec?.selector ?? MetaV1.LabelSelector(),
                    old: oldDaemonSet.spec?.selector ?? MetaV1.LabelSelector()
                )
        case (let statefulSet as AppsV1.StatefulSet, let oldStatefulSet as AppsV1.StatefulSet):
            return WorkloadValidation.statefulSetUpdate(statefulSet, old: oldStatefulSet)
        case (let job as BatchV1.Job, let oldJob as BatchV1.Job):
            return BatchValidation.jobUpdate(job, old: oldJob)
        case (let cronJob as BatchV1.CronJob, let oldCronJob as BatchV1.CronJob):
            return Self.metaUpdate(cronJob, old) + BatchValidation.cronJob(cronJob, old: oldCronJob)
        case (let configMap as CoreV1.ConfigMap, let oldConfigMap as CoreV1.ConfigMap):
            return ConfigValidation.configMapUpdate(configMap, old: oldConfigMap)
        case (let secret as CoreV1.Secret, let oldSecret as CoreV1.Secret):
            return ConfigValidation.secretUpdate(secret, old: oldSecret)
        case (let claim as CoreV1.PersistentVolumeClaim, let oldClaim as CoreV1.PersistentVolumeClaim):
            return ClusterValidation.persistentVolumeClaimUpdate(claim, old: oldClaim)
        case (let priorityClass as SchedulingV1.PriorityClass, let oldPriorityClass as SchedulingV1.PriorityClass):
            return ClusterValidation.priorityClassUpdate(priorityClass, old: oldPriorityClass)
        case (let binding as RBACV1.RoleBinding, let oldBinding as RBACV1.RoleBinding):
            return Self.metaUpdate(binding, old) + Self.validateCreate(binding, resource: resource)
                + ClusterValidation.roleRefUpdate(binding.roleRef, old: oldBinding.roleRef)
        case (let binding as RBACV1.ClusterRoleBinding, let oldBinding as RBACV1.ClusterRoleBinding):
            return Self.metaUpdate(binding, old) + Self.validateCreate(binding, resource: resource)
                + ClusterValidation.roleRefUpdate(binding.roleRef, old: oldBinding.roleRef)
        case (let slice as DiscoveryV1.EndpointSlice, let oldSlice as DiscoveryV1.EndpointSlice):
            var errors = Self.metaUpdate(slice, old) + ServiceValidation.endpointSlice(slice)
            if slice.addressType != oldSlice.addressType {
                errors.append(.invalid(FieldPath("addressType"), slice.addressType, CommonValidation.immutableMessage))
            }
            return errors
        case (let event as CoreV1.Event, _):
            return ClusterValidation.event(event)
        default:
            return Self.metaUpdate(object, old) + Self.validateCreate(object, resource: resource)
        }
    }

    private static func metaUpdate(_ object: any APIObject, _ old: any APIObject) -> [FieldError] {
        CommonValidation.objectMetaUpdate(object.metadata, old: old.metadata)
    }

    /// Upstream's name rule per resource: a DNS label for namespaces, a DNS-1035 label for services, a path
    /// segment for RBAC objects and a few others, a DNS subdomain otherwise.
    static func nameRule(_ resource: ServedResource) -> CommonValidation.NameRule {
        switch (resource.group, resource.plural) {
        case ("", "namespaces"): CommonValidation.dnsLabelName
        case ("", "services"): CommonValidation.dns1035LabelName
        case ("rbac.authorization.k8s.io", _):
            CommonValidation.pathSegmentName
        default: CommonValidation.dnsSubdomainName
        }
    }
}
