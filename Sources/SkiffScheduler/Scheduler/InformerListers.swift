import SkiffAPI
import SkiffAPIMachinery
import SkiffClient

/// ``ClusterListers`` over shared informers (namespaces, services, controllers, PodDisruptionBudgets).
struct InformerListers: ClusterListers {
    let namespaces: Lister<CoreV1.Namespace>
    let serviceLister: Lister<CoreV1.Service>
    let controllerLister: Lister<CoreV1.ReplicationController>
    let replicaSetLister: Lister<AppsV1.ReplicaSet>
    let statefulSetLister: Lister<AppsV1.StatefulSet>
    let budgetLister: Lister<PolicyV1.PodDisruptionBudget>

    init(factory: SharedInformerFactory) {
        self.namespaces = factory.lister(CoreV1.Namespace.self)
        self.serviceLister = factory.lister(CoreV1.Service.self)
        self.controllerLister = factory.lister(CoreV1.ReplicationController.self)
        self.replicaSetLister = factory.lister(AppsV1.ReplicaSet.self)
        self.statefulSetLister = factory.lister(AppsV1.StatefulSet.self)
        self.budgetLister = factory.lister(PolicyV1.PodDisruptionBudget.self)
    }

    func namespaceLabels(_ name: String) -> [String: String]? {
        self.namespaces.get(namespace: nil, name: name).map { $0.metadata.labels ?? [:] }
    }

    func services(namespace: String) -> [CoreV1.Service] { self.serviceLister.list(namespace: namespace) }

    func replicationControllers(namespace: String) -> [CoreV1.ReplicationController] {
        self.controllerLister.list(namespace: namespace)
    }

    func replicaSets(namespace: String) -> [AppsV1.ReplicaSet] { self.replicaSetLister.list(namespace: namespace) }

    func statefulSets(namespace: String) -> [AppsV1.StatefulSet] { self.statefulSetLister.list(namespace: namespace) }

    func podDisruptionBudgets() -> [PolicyV1.PodDisruptionBudget] { self.budgetLister.list() }
}
