import SkiffAPIMachinery
import SkiffPrinters
import Testing

struct TableConvertorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var group: String
        var resource: String
        var object: JSONValue
        var expected: [JSONValue]
        var testDescription: String { "\(self.resource): \(self.name)" }
    }

    static let template: JSONValue = [
        "metadata": ["labels": ["app": "web"]],
        "spec": ["containers": [["name": "web", "image": "nginx:1.27"], ["name": "log", "image": "busybox"]]],
    ]

    static let workloads: [Case] = [
        Case(
            name: "partially ready",
            group: "apps",
            resource: "deployments",
            object: [
                "metadata": metadata("web", age: 3 * 86400 + 4 * 3600),
                "spec": [
                    "replicas": 3, "template": template,
                    "selector": [
                        "matchLabels": ["app": "web"],
                        "matchExpressions": [["key": "tier", "operator": "In", "values": ["front", "edge"]]],
                    ],
                ],
                "status": ["replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2],
            ],
            expected: ["web", "2/3", 3, 2, "3d4h", "web,log", "nginx:1.27,busybox", "app=web,tier in (edge,front)"]
        ),
        Case(
            name: "defaults and empty status",
            group: "apps",
            resource: "deployments",
            object: ["metadata": metadata("d", age: 30), "spec": ["selector": [:], "template": ["spec": ["containers": []]]]],
            expected: ["d", "0/1", 0, 0, "30s", "", "", ""]
        ),
        Case(
            name: "replica set",
            group: "apps",
            resource: "replicasets",
            object: [
                "metadata": metadata("web-5d9c", age: 90),
                "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "web"]], "template": template],
                "status": ["replicas": 2, "readyReplicas": 1],
            ],
            expected: ["web-5d9c", 2, 2, 1, "90s", "web,log", "nginx:1.27,busybox", "app=web"]
        ),
        Case(
            name: "replication controller",
            group: "",
            resource: "replicationcontrollers",
            object: [
                "metadata": metadata("rc", age: 90),
                "spec": ["replicas": 1, "selector": ["b": "2", "a": "1"], "template": template],
                "status": ["replicas": 1],
            ],
            expected: ["rc", 1, 1, 0, "90s", "web,log", "nginx:1.27,busybox", "a=1,b=2"]
        ),
        Case(
            name: "daemon set",
            group: "apps",
            resource: "daemonsets",
            object: [
                "metadata": metadata("agent", age: 600),
                "spec": [
                    "selector": ["matchLabels": ["app": "agent"]],
                    "template": ["spec": ["containers": [["name": "a", "image": "agent:1"]], "nodeSelector": ["kubernetes.io/os": "linux"]]],
                ],
                "status": [
                    "desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                    "updatedNumberScheduled": 3, "numberAvailable": 2, "numberMisscheduled": 0,
                ],
            ],
            expected: ["agent", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "10m", "a", "agent:1", "app=agent"]
        ),
        Case(
            name: "stateful set",
            group: "apps",
            resource: "statefulsets",
            object: [
                "metadata": metadata("db", age: 7200),
                "spec": ["replicas": 3, "selector": [:], "template": template],
                "status": ["replicas": 3, "readyReplicas": 3],
            ],
            expected: ["db", "3/3", "120m", "web,log", "nginx:1.27,busybox"]
        ),
        Case(
            name: "complete job",
            group: "batch",
            resource: "jobs",
            object: [
                "metadata": metadata("pi", age: 400),
                "spec": ["completions": 1, "template": template, "selector": ["matchLabels": ["batch.kubernetes.io/job-name": "pi"]]],
                "status": [
                    "succeeded": 1, "startTime": ago(390), "completionTime": ago(200),
                    "conditions": [["type": "Complete", "status": "True"]],
                ],
            ],
            expected: ["pi", "Complete", "1/1", "3m10s", "6m40s", "web,log", "nginx:1.27,busybox", "batch.kubernetes.io/job-name=pi"]
        ),
        Case(
            name: "running job with parallelism",
            group: "batch",
            resource: "jobs",
            object: [
                "metadata": metadata("work", age: 100),
                "spec": ["parallelism": 3, "template": ["spec": ["containers": []]]],
                "status": ["startTime": ago(70)],
            ],
            expected: ["work", "Running", "0/1 of 3", "70s", "100s", "", "", "<none>"]
        ),
        Case(
            name: "failed job",
            group: "batch",
            resource: "jobs",
            object: [
                "metadata": metadata("bad", age: 100),
                "spec": ["completions": 3, "template": ["spec": ["containers": []]]],
                "status": ["succeeded": 1, "conditions": [["type": "Failed", "status": "True"]]],
            ],
            expected: ["bad", "Failed", "1/3", "", "100s", "", "", "<none>"]
        ),
        Case(
            name: "suspended job",
            group: "batch",
            resource: "jobs",
            object: [
                "metadata": metadata("later", age: 100),
                "spec": ["completions": 1, "template": ["spec": ["containers": []]]],
                "status": ["conditions": [["type": "Suspended", "status": "True"], ["type": "Complete", "status": "False"]]],
            ],
            expected: ["later", "Suspended", "0/1", "", "100s", "", "", "<none>"]
        ),
        Case(
            name: "cron job never scheduled",
            group: "batch",
            resource: "cronjobs",
            object: [
                "metadata": metadata("nightly", age: 86400 * 2),
                "spec": ["schedule": "0 3 * * *", "jobTemplate": ["spec": ["template": template]]],
            ],
            expected: ["nightly", "0 3 * * *", "<none>", "<unset>", 0, "<none>", "2d", "web,log", "nginx:1.27,busybox", "<none>"]
        ),
        Case(
            name: "cron job with active jobs",
            group: "batch",
            resource: "cronjobs",
            object: [
                "metadata": metadata("hourly", age: 86400),
                "spec": [
                    "schedule": "@hourly", "timeZone": "Europe/Paris", "suspend": false,
                    "jobTemplate": ["spec": ["template": ["spec": ["containers": []]], "selector": ["matchLabels": ["a": "b"]]]],
                ],
                "status": ["active": [["name": "hourly-1"], ["name": "hourly-2"]], "lastScheduleTime": ago(65)],
            ],
            expected: ["hourly", "@hourly", "Europe/Paris", "False", 2, "65s", "24h", "", "", "a=b"]
        ),
        Case(
            name: "controller revision",
            group: "apps",
            resource: "controllerrevisions",
            object: [
                "metadata": metadata(
                    "web-7f6d",
                    age: 60,
                    extra: ["ownerReferences": [["apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "u", "controller": true]]]
                ),
                "revision": 4,
            ],
            expected: ["web-7f6d", "statefulset.apps/web", 4, "60s"]
        ),
    ]

    static let networking: [Case] = [
        Case(
            name: "cluster IP",
            group: "",
            resource: "services",
            object: [
                "metadata": metadata("web", age: 300),
                "spec": [
                    "type": "ClusterIP", "clusterIP": "10.43.0.10", "clusterIPs": ["10.43.0.10"],
                    "ports": [["port": 80, "protocol": "TCP"], ["port": 53, "protocol": "UDP"]],
                    "selector": ["app": "web"],
                ],
            ],
            expected: ["web", "ClusterIP", "10.43.0.10", "<none>", "80/TCP,53/UDP", "5m", "app=web"]
        ),
        Case(
            name: "node port, defaults",
            group: "",
            resource: "services",
            object: [
                "metadata": metadata("np", age: 300),
                "spec": ["type": "NodePort", "clusterIP": "10.43.0.11", "ports": [["port": 80, "nodePort": 30080], ["port": 443, "nodePort": 30443]]],
            ],
            expected: ["np", "NodePort", "10.43.0.11", "<none>", "80:30080/TCP,443:30443/TCP", "5m", "<none>"]
        ),
        Case(
            name: "pending load balancer",
            group: "",
            resource: "services",
            object: [
                "metadata": metadata("lb", age: 300),
                "spec": ["type": "LoadBalancer", "clusterIPs": ["10.43.0.12"], "ports": [["port": 443, "nodePort": 31443, "protocol": "TCP"]]],
            ],
            expected: ["lb", "LoadBalancer", "10.43.0.12", "<pending>", "443:31443/TCP", "5m", "<none>"]
        ),
        Case(
            name: "load balancer with addresses and external IPs",
            group: "",
            resource: "services",
            object: [
                "metadata": metadata("lb2", age: 300),
                "spec": ["type": "LoadBalancer", "clusterIPs": ["10.43.0.13"], "externalIPs": ["192.0.2.9"]],
                "status": ["loadBalancer": ["ingress": [["ip": "203.0.113.7"], ["hostname": "lb.example.com"], ["ip": "203.0.113.7"]]]],
            ],
            expected: ["lb2", "LoadBalancer", "10.43.0.13", "203.0.113.7,lb.example.com,192.0.2.9", "<none>", "5m", "<none>"]
        ),
        Case(
            name: "external name, headless",
            group: "",
            resource: "services",
            object: [
                "metadata": metadata("ext", age: 300),
                "spec": ["type": "ExternalName", "externalName": "db.example.com"],
            ],
            expected: ["ext", "ExternalName", "<none>", "db.example.com", "<none>", "5m", "<none>"]
        ),
        Case(
            name: "endpoints, more than three",
            group: "",
            resource: "endpoints",
            object: [
                "metadata": metadata("web", age: 60),
                "subsets": [
                    ["addresses": [["ip": "10.0.0.1"], ["ip": "10.0.0.2"]], "ports": [["port": 80], ["port": 443]]],
                    ["addresses": [["ip": "fd00::1"]]],
                ],
            ],
            expected: ["web", "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...", "60s"]
        ),
        Case(
            name: "endpoints, none",
            group: "",
            resource: "endpoints",
            object: ["metadata": metadata("empty", age: 60)],
            expected: ["empty", "<none>", "60s"]
        ),
        Case(
            name: "endpoint slice",
            group: "discovery.k8s.io",
            resource: "endpointslices",
            object: [
                "metadata": metadata("web-abc", age: 60),
                "addressType": "IPv4",
                "ports": [["port": 80], ["name": "metrics"]],
                "endpoints": [["addresses": ["10.0.0.1"]], ["addresses": ["10.0.0.2", "10.0.0.3", "10.0.0.4"]]],
            ],
            expected: ["web-abc", "IPv4", "80,metrics", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...", "60s"]
        ),
        Case(
            name: "ingress",
            group: "networking.k8s.io",
            resource: "ingresses",
            object: [
                "metadata": metadata("web", age: 60),
                "spec": [
                    "ingressClassName": "traefik",
                    "rules": [["host": "a.example.com"], ["host": "b.example.com"], [:], ["host": "d.example.com"], ["host": "e.example.com"]],
                    "tls": [["hosts": ["a.example.com"]]],
                ],
                "status": ["loadBalancer": ["ingress": [["ip": "192.0.2.1"]]]],
            ],
            expected: ["web", "traefik", "a.example.com,b.example.com,d.example.com + 2 more...", "192.0.2.1", "80, 443", "60s"]
        ),
        Case(
            name: "ingress without rules",
            group: "networking.k8s.io",
            resource: "ingresses",
            object: ["metadata": metadata("any", age: 60), "spec": [:]],
            expected: ["any", "<none>", "*", "", "80", "60s"]
        ),
        Case(
            name: "network policy selecting everything",
            group: "networking.k8s.io",
            resource: "networkpolicies",
            object: ["metadata": metadata("deny", age: 60), "spec": ["podSelector": [:]]],
            expected: ["deny", "<none>", "60s"]
        ),
    ]

    static let cluster: [Case] = [
        Case(
            name: "ready but cordoned control plane",
            group: "",
            resource: "nodes",
            object: [
                "metadata": metadata(
                    "node-a",
                    age: 86400 * 10,
                    extra: ["labels": ["node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/master": "true", "kubernetes.io/role": "etcd"]]
                ),
                "spec": ["unschedulable": true],
                "status": [
                    "conditions": [["type": "MemoryPressure", "status": "False"], ["type": "Ready", "status": "True"]],
                    "addresses": [["type": "Hostname", "address": "node-a"], ["type": "InternalIP", "address": "10.0.0.5"]],
                    "nodeInfo": [
                        "kubeletVersion": "v1.32.4", "osImage": "Debian GNU/Linux 12", "kernelVersion": "6.1.0",
                        "containerRuntimeVersion": "runc://1.2.0", "machineID": "", "systemUUID": "", "bootID": "",
                        "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64",
                    ],
                ],
            ],
            expected: [
                "node-a", "Ready,SchedulingDisabled", "control-plane,etcd,master", "10d", "v1.32.4", "10.0.0.5", "<none>",
                "Debian GNU/Linux 12", "6.1.0", "runc://1.2.0",
            ]
        ),
        Case(
            name: "not ready",
            group: "",
            resource: "nodes",
            object: [
                "metadata": metadata("node-b", age: 60),
                "status": ["conditions": [["type": "Ready", "status": "Unknown"]], "addresses": [["type": "ExternalIP", "address": "198.51.100.2"]]],
            ],
            expected: ["node-b", "NotReady", "<none>", "60s", "", "<none>", "198.51.100.2", "<unknown>", "<unknown>", "<unknown>"]
        ),
        Case(
            name: "no conditions",
            group: "",
            resource: "nodes",
            object: ["metadata": metadata("node-c", age: 60)],
            expected: ["node-c", "Unknown", "<none>", "60s", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]
        ),
        Case(
            name: "namespace",
            group: "",
            resource: "namespaces",
            object: ["metadata": metadata("kube-system", age: 60), "status": ["phase": "Active"]],
            expected: ["kube-system", "Active", "60s"]
        ),
        Case(
            name: "config map",
            group: "",
            resource: "configmaps",
            object: ["metadata": metadata("cfg", age: 60), "data": ["a": "1", "b": "2"], "binaryData": ["c": "AA=="]],
            expected: ["cfg", 3, "60s"]
        ),
        Case(
            name: "secret",
            group: "",
            resource: "secrets",
            object: ["metadata": metadata("tls", age: 60), "type": "kubernetes.io/tls", "data": ["tls.crt": "", "tls.key": ""], "stringData": ["tls.key": "x", "ca.crt": "y"]],
            expected: ["tls", "kubernetes.io/tls", 3, "60s"]
        ),
        Case(
            name: "service account",
            group: "",
            resource: "serviceaccounts",
            object: ["metadata": metadata("default", age: 60)],
            expected: ["default", 0, "60s"]
        ),
        Case(
            name: "bound claim",
            group: "",
            resource: "persistentvolumeclaims",
            object: [
                "metadata": metadata("data", age: 60),
                "spec": ["volumeName": "pv-1", "storageClassName": "local-path", "volumeMode": "Filesystem"],
                "status": ["phase": "Bound", "accessModes": ["ReadWriteMany", "ReadWriteOnce"], "capacity": ["storage": "1Gi"]],
            ],
            expected: ["data", "Bound", "pv-1", "1Gi", "RWO,RWX", "local-path", "<unset>", "60s", "Filesystem"]
        ),
        Case(
            name: "volume being deleted",
            group: "",
            resource: "persistentvolumes",
            object: [
                "metadata": metadata("pv-1", age: 60, extra: ["deletionTimestamp": ago(1), "annotations": ["volume.beta.kubernetes.io/storage-class": "old"]]),
                "spec": [
                    "capacity": ["storage": "5Gi"], "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete",
                    "claimRef": ["namespace": "default", "name": "data"], "storageClassName": "local-path",
                ],
                "status": ["phase": "Bound"],
            ],
            expected: ["pv-1", "5Gi", "RWO", "Delete", "Terminating", "default/data", "old", "<unset>", "", "60s", "<unset>"]
        ),
        Case(
            name: "role binding",
            group: "rbac.authorization.k8s.io",
            resource: "rolebindings",
            object: [
                "metadata": metadata("rb", age: 60),
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"],
                "subjects": [
                    ["kind": "User", "name": "alice"], ["kind": "User", "name": "bob"], ["kind": "Group", "name": "devs"],
                    ["kind": "ServiceAccount", "name": "ci", "namespace": "build"],
                ],
            ],
            expected: ["rb", "Role/reader", "60s", "alice, bob", "devs", "build/ci"]
        ),
        Case(
            name: "autoscaling/v2 HPA",
            group: "autoscaling",
            resource: "horizontalpodautoscalers",
            object: [
                "apiVersion": "autoscaling/v2",
                "metadata": metadata("web", age: 60),
                "spec": [
                    "scaleTargetRef": ["kind": "Deployment", "name": "web"], "minReplicas": 2, "maxReplicas": 10,
                    "metrics": [
                        ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]],
                        ["type": "Resource", "resource": ["name": "memory", "target": ["type": "AverageValue", "averageValue": "500Mi"]]],
                        ["type": "Pods", "pods": ["metric": ["name": "qps"], "target": ["type": "AverageValue", "averageValue": "1k"]]],
                    ],
                ],
                "status": [
                    "currentReplicas": 3, "desiredReplicas": 3,
                    "currentMetrics": [["type": "Resource", "resource": ["name": "cpu", "current": ["averageUtilization": 42]]]],
                ],
            ],
            expected: ["web", "Deployment/web", "cpu: 42%/80%, memory: <unknown>/500Mi + 1 more...", "2", 10, 3, "60s"]
        ),
        Case(
            name: "autoscaling/v1 HPA",
            group: "autoscaling",
            resource: "horizontalpodautoscalers",
            object: [
                "apiVersion": "autoscaling/v1",
                "metadata": metadata("web", age: 60),
                "spec": ["scaleTargetRef": ["kind": "Deployment", "name": "web"], "maxReplicas": 5, "targetCPUUtilizationPercentage": 50],
                "status": ["currentReplicas": 1, "desiredReplicas": 1],
            ],
            expected: ["web", "Deployment/web", "cpu: <unknown>/50%", "<unset>", 5, 1, "60s"]
        ),
        Case(
            name: "pod disruption budget",
            group: "policy",
            resource: "poddisruptionbudgets",
            object: ["metadata": metadata("pdb", age: 60), "spec": ["minAvailable": "50%"], "status": ["disruptionsAllowed": 1]],
            expected: ["pdb", "50%", "N/A", 1, "60s"]
        ),
        Case(
            name: "default storage class",
            group: "storage.k8s.io",
            resource: "storageclasses",
            object: [
                "metadata": metadata("local-path", age: 60, extra: ["annotations": ["storageclass.kubernetes.io/is-default-class": "true"]]),
                "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer",
            ],
            expected: ["local-path (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", false, "60s"]
        ),
        Case(
            name: "lease",
            group: "coordination.k8s.io",
            resource: "leases",
            object: ["metadata": metadata("node-a", age: 60), "spec": ["holderIdentity": "node-a"]],
            expected: ["node-a", "node-a", "60s"]
        ),
        Case(
            name: "priority class",
            group: "scheduling.k8s.io",
            resource: "priorityclasses",
            object: ["metadata": metadata("system-node-critical", age: 60), "value": 2_000_001_000, "preemptionPolicy": "PreemptLowerPriority"],
            expected: ["system-node-critical", 2_000_001_000, false, "60s", "PreemptLowerPriority"]
        ),
        Case(
            name: "approved and issued CSR",
            group: "certificates.k8s.io",
            resource: "certificatesigningrequests",
            object: [
                "metadata": metadata("csr-1", age: 60),
                "spec": ["request": "", "signerName": "kubernetes.io/kube-apiserver-client", "username": "alice", "expirationSeconds": 86400],
                "status": ["conditions": [["type": "Approved", "status": "True"]], "certificate": "Y2VydA=="],
            ],
            expected: ["csr-1", "60s", "kubernetes.io/kube-apiserver-client", "alice", "24h", "Approved,Issued"]
        ),
        Case(
            name: "resource quota",
            group: "",
            resource: "resourcequotas",
            object: [
                "metadata": metadata("quota", age: 60),
                "status": [
                    "hard": ["pods": "10", "limits.cpu": "4", "requests.cpu": "2"],
                    "used": ["pods": "3", "requests.cpu": "500m"],
                ],
            ],
            expected: ["quota", "pods: 3/10, requests.cpu: 500m/2", "limits.cpu: 0/4", "60s"]
        ),
        Case(
            name: "webhooks",
            group: "admissionregistration.k8s.io",
            resource: "validatingwebhookconfigurations",
            object: ["metadata": metadata("policy", age: 60), "webhooks": [["name": "a.example.com"], ["name": "b.example.com"]]],
            expected: ["policy", 2, "60s"]
        ),
        Case(
            name: "runtime class",
            group: "node.k8s.io",
            resource: "runtimeclasses",
            object: ["metadata": metadata("gvisor", age: 60), "handler": "runsc"],
            expected: ["gvisor", "runsc", "60s"]
        ),
        Case(
            name: "core event with a count",
            group: "",
            resource: "events",
            object: [
                "metadata": metadata("web.17a", age: 600),
                "involvedObject": ["kind": "Pod", "name": "web-0", "fieldPath": "spec.containers{web}"],
                "reason": "BackOff", "type": "Warning", "message": "Back-off restarting failed container\n",
                "source": ["component": "kubelet", "host": "node-a"],
                "firstTimestamp": ago(600), "lastTimestamp": ago(30), "count": 12,
            ],
            expected: ["30s", "Warning", "BackOff", "pod/web-0", "spec.containers{web}", "kubelet, node-a", "Back-off restarting failed container", "10m", 12, "web.17a"]
        ),
        Case(
            name: "events.k8s.io event with a series",
            group: "events.k8s.io",
            resource: "events",
            object: [
                "metadata": metadata("e", age: 600),
                "eventTime": "2024-05-01T11:50:00.000000Z",
                "regarding": ["kind": "Node", "name": "node-a"],
                "reason": "Starting", "type": "Normal", "note": "Starting kubelet.",
                "reportingController": "kubelet", "reportingInstance": "node-a",
                "series": ["count": 4, "lastObservedTime": "2024-05-01T11:59:00.000000Z"],
            ],
            expected: ["60s", "Normal", "Starting", "node/node-a", "", "kubelet, node-a", "Starting kubelet.", "10m", 4, "e"]
        ),
    ]

    @Test(arguments: Self.workloads + Self.networking + Self.cluster)
    func printsUpstreamsCells(_ c: Case) {
        let convertor = TableConvertor()
        let row = convertor.row(group: c.group, resource: c.resource, object: c.object, now: now)
        #expect(row.cells == c.expected)
        #expect(row.cells.count == convertor.columnDefinitions(group: c.group, resource: c.resource).count)
        #expect(row.conditions == nil)
    }

    struct ColumnsCase: Sendable, CustomTestStringConvertible {
        var group: String
        var resource: String
        var names: [String]
        var wide: [String]
        var testDescription: String { "\(self.group)/\(self.resource)" }
    }

    @Test(arguments: [
        ColumnsCase(group: "apps", resource: "deployments", names: ["Name", "Ready", "Up-to-date", "Available", "Age"], wide: ["Containers", "Images", "Selector"]),
        ColumnsCase(group: "", resource: "services", names: ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"], wide: ["Selector"]),
        ColumnsCase(group: "", resource: "nodes", names: ["Name", "Status", "Roles", "Age", "Version"], wide: ["Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"]),
        ColumnsCase(group: "batch", resource: "jobs", names: ["Name", "Status", "Completions", "Duration", "Age"], wide: ["Containers", "Images", "Selector"]),
        ColumnsCase(group: "batch", resource: "cronjobs", names: ["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"], wide: ["Containers", "Images", "Selector"]),
        ColumnsCase(group: "apps", resource: "daemonsets", names: ["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age"], wide: ["Containers", "Images", "Selector"]),
        ColumnsCase(group: "", resource: "events", names: ["Last Seen", "Type", "Reason", "Object", "Message"], wide: ["Subobject", "Source", "First Seen", "Count", "Name"]),
        ColumnsCase(group: "rbac.authorization.k8s.io", resource: "clusterrolebindings", names: ["Name", "Role", "Age"], wide: ["Users", "Groups", "ServiceAccounts"]),
        ColumnsCase(group: "", resource: "persistentvolumeclaims", names: ["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age"], wide: ["VolumeMode"]),
        ColumnsCase(group: "autoscaling", resource: "horizontalpodautoscalers", names: ["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"], wide: []),
    ])
    func definesUpstreamsColumns(_ c: ColumnsCase) {
        let columns = TableConvertor().columnDefinitions(group: c.group, resource: c.resource)
        #expect(columns.filter { $0.priority == 0 }.map(\.name) == c.names)
        #expect(columns.filter { $0.priority == 1 }.map(\.name) == c.wide)
        #expect(columns.allSatisfy { !$0.description.isEmpty })
        #expect(columns.filter { $0.format == "name" }.map(\.name) == ["Name"])
    }

    @Test func typesCountColumnsAsIntegers() {
        let convertor = TableConvertor()
        let replicaSets = convertor.columnDefinitions(group: "apps", resource: "replicasets")
        #expect(replicaSets.map(\.type) == ["string", "integer", "integer", "integer", "string", "string", "string", "string"])
        #expect(convertor.columnDefinitions(group: "batch", resource: "cronjobs")[3].type == "boolean")
        #expect(convertor.columnDefinitions(group: "", resource: "services")[1].description.hasPrefix("type determines how the Service is exposed."))
    }

    @Test(arguments: [
        ("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterroles"), ("", "limitranges"),
        ("apiextensions.k8s.io", "customresourcedefinitions"), ("example.com", "widgets"),
    ])
    func printsOtherResourcesWithTheDefaultConvertor(_ group: String, _ resource: String) {
        let convertor = TableConvertor()
        #expect(!convertor.hasPrinter(group: group, resource: resource))
        let columns = convertor.columnDefinitions(group: group, resource: resource)
        #expect(columns.map(\.name) == ["Name", "Created At"])
        #expect(columns.map(\.type) == ["string", "date"])
        #expect(columns.map(\.format) == ["name", ""])
        #expect(columns[1].description.hasPrefix("CreationTimestamp is a timestamp"))
        let object: JSONValue = ["metadata": ["name": "reader", "creationTimestamp": "2024-05-01T11:00:00Z"]]
        let row = convertor.row(group: group, resource: resource, object: object, now: now)
        #expect(row.cells == ["reader", "2024-05-01T11:00:00Z"])
        #expect(row.conditions == nil)
        #expect(cells(group, resource, ["metadata": [:]]) == ["", "0001-01-01T00:00:00Z"])
    }

    static let undecodable: [(group: String, resource: String, object: JSONValue)] = [
        ("", "pods", ["metadata": ["name": "p", "creationTimestamp": "2024-05-01T11:59:00Z"], "spec": "oops"]),
        ("apps", "deployments", ["metadata": ["name": "d", "creationTimestamp": "2024-05-01T11:59:00Z"], "spec": ["replicas": "three"]]),
        ("", "nodes", ["metadata": ["name": "n", "creationTimestamp": "2024-05-01T11:59:00Z"], "status": ["conditions": 7]]),
        ("autoscaling", "horizontalpodautoscalers", ["metadata": ["name": "h", "creationTimestamp": "2024-05-01T11:59:00Z"], "spec": 1]),
    ]

    @Test(arguments: Self.undecodable)
    func fallsBackToNameAndAgeForUndecodableObjects(_ c: (group: String, resource: String, object: JSONValue)) {
        let (group, resource, object) = c
        let convertor = TableConvertor()
        let columns = convertor.columnDefinitions(group: group, resource: resource)
        let row = convertor.row(group: group, resource: resource, object: object, now: now)
        #expect(row.cells.count == columns.count)
        #expect(row.cells[0] == object["metadata"]?["name"])
        let age = columns.firstIndex { $0.name == "Age" }
        #expect(age.map { row.cells[$0] } == "60s")
        #expect(row.cells.filter { $0 == "<unknown>" }.count == columns.count - 2)
    }

    static let odd: [JSONValue] = [.null, "a string", 42, [1, 2], ["metadata": "not an object"], ["metadata": ["name": 5]]]

    @Test(arguments: Self.odd)
    func neverTrapsOnOddJSON(_ object: JSONValue) {
        let convertor = TableConvertor()
        for (group, resource) in [("", "pods"), ("", "events"), ("apps", "deployments"), ("", "limitranges")] {
            let row = convertor.row(group: group, resource: resource, object: object, now: now)
            #expect(row.cells.count == convertor.columnDefinitions(group: group, resource: resource).count)
        }
    }
}
