"""End-to-end: the official Python client (PyPI `kubernetes`) against a running `skiff server`.

    python_client.py path/to/kubeconfig.yaml

Exercises CRUD on ConfigMap, Secret, Deployment, Service, Namespace and Pod; the three patch types; deletion with
each propagation policy carried out by the garbage collector;
`utils.create_from_yaml`, server-side apply (typed and dynamic clients) with its conflict Status; label and field
selectors; pagination; a watch from a list resourceVersion (the upstream Python e2e `test_watch` pattern); and Status error
bodies. Every test runs even when an earlier one fails; the exit status is non-zero if any failed.
"""

import base64
import json
import sys
import time
import traceback
import uuid

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

KUBECONFIG = sys.argv[1]
config.load_kube_config(config_file=KUBECONFIG)
core = client.CoreV1Api()
apps = client.AppsV1Api()

SUFFIX = uuid.uuid4().hex[:6]
NS = "py-e2e-" + SUFFIX


def meta(name, labels=None, namespace=None):
    return client.V1ObjectMeta(name=name, labels=labels, namespace=namespace)


def body_text(error):
    return error.body.decode("utf-8") if isinstance(error.body, bytes) else error.body


def expect_api_error(call, status, reason, status_reason=None, message=None):
    """Calls `call`, which must raise ApiException with this HTTP status and reason phrase; checks the Status body."""
    try:
        call()
    except ApiException as error:
        assert error.status == status, "expected HTTP %d, got %r (body %r)" % (status, error.status, error.body)
        assert error.reason == reason, "expected reason phrase %r, got %r" % (reason, error.reason)
        text = body_text(error)
        body = json.loads(text)
        assert body.get("kind") == "Status", "error body is not a Status: %r" % text
        assert body.get("code") == status, "Status.code %r != %d" % (body.get("code"), status)
        if status_reason is not None:
            assert body.get("reason") == status_reason, "Status.reason %r != %r" % (body.get("reason"), status_reason)
        if message is not None:
            assert body.get("message") == message, "Status.message %r != %r" % (body.get("message"), message)
        assert text.endswith("\n"), "Status body should end with a newline like Go's json.Encoder: %r" % text
        return body
    raise AssertionError("expected ApiException %d %s, but the call succeeded" % (status, reason))


# ----------------------------------------------------------------------------------------------------------------


def test_namespace():
    created = core.create_namespace(client.V1Namespace(metadata=meta(NS, {"e2e": "python"})))
    assert created.metadata.name == NS, created.metadata
    assert created.metadata.uid, "uid must be set"
    assert created.metadata.resource_version and created.metadata.resource_version.isdigit(), (
        "resourceVersion must be a decimal string: %r" % created.metadata.resource_version
    )
    read = core.read_namespace(NS)
    assert read.status.phase == "Active", "namespace phase %r" % read.status.phase
    listed = core.list_namespace(label_selector="e2e=python")
    assert [n.metadata.name for n in listed.items] == [NS], [n.metadata.name for n in listed.items]
    expect_api_error(
        lambda: core.create_namespace(client.V1Namespace(metadata=meta(NS))),
        409,
        "Conflict",
        "AlreadyExists",
        'namespaces "%s" already exists' % NS,
    )
    patched = core.patch_namespace(NS, {"metadata": {"labels": {"patched": "yes"}}})
    assert patched.metadata.labels == {
        "e2e": "python",
        "patched": "yes",
        "kubernetes.io/metadata.name": NS,
    }, patched.metadata.labels


def test_configmap_crud():
    cm = core.create_namespaced_config_map(
        NS, client.V1ConfigMap(metadata=meta("cm-crud", {"app": "py"}), data={"a": "1"})
    )
    assert cm.data == {"a": "1"}, cm.data
    assert cm.metadata.namespace == NS, cm.metadata.namespace
    read = core.read_namespaced_config_map("cm-crud", NS)
    assert read.metadata.uid == cm.metadata.uid, "uid changed between create and read"
    assert read.metadata.resource_version == cm.metadata.resource_version, "read RV differs from create RV"

    read.data["b"] = "2"
    replaced = core.replace_namespaced_config_map("cm-crud", NS, read)
    assert replaced.data == {"a": "1", "b": "2"}, replaced.data
    assert int(replaced.metadata.resource_version) > int(cm.metadata.resource_version), (
        "resourceVersion must grow on update: %s -> %s" % (cm.metadata.resource_version, replaced.metadata.resource_version)
    )

    stale = core.read_namespaced_config_map("cm-crud", NS)
    stale.metadata.resource_version = cm.metadata.resource_version
    expect_api_error(
        lambda: core.replace_namespaced_config_map("cm-crud", NS, stale),
        409,
        "Conflict",
        "Conflict",
        'Operation cannot be fulfilled on configmaps "cm-crud": the object has been modified; '
        "please apply your changes to the latest version and try again",
    )

    patched = core.patch_namespaced_config_map("cm-crud", NS, {"data": {"c": "3"}})
    assert patched.data == {"a": "1", "b": "2", "c": "3"}, patched.data
    patched = core.patch_namespaced_config_map(
        "cm-crud", NS, [{"op": "remove", "path": "/data/a"}]
    )  # a list is sent as a JSON patch
    assert patched.data == {"b": "2", "c": "3"}, patched.data

    body = expect_api_error(
        lambda: core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta("cm-crud"))),
        409,
        "Conflict",
        "AlreadyExists",
    )
    expected = (
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"configmaps \\"cm-crud\\" already exists","reason":"AlreadyExists",'
        '"details":{"name":"cm-crud","kind":"configmaps"},"code":409}\n'
    )
    assert body is not None
    try:
        core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta("cm-crud")))
    except ApiException as error:
        assert body_text(error) == expected, "AlreadyExists body byte for byte:\n expected %r\n actual   %r" % (
            expected,
            body_text(error),
        )

    deleted = core.delete_namespaced_config_map("cm-crud", NS)
    status = deleted.get("status") if isinstance(deleted, dict) else deleted.status
    assert status == "Success", "delete returns Status Success: %r" % deleted
    expect_api_error(
        lambda: core.read_namespaced_config_map("cm-crud", NS),
        404,
        "Not Found",
        "NotFound",
        'configmaps "cm-crud" not found',
    )
    expect_api_error(lambda: core.delete_namespaced_config_map("cm-crud", NS), 404, "Not Found", "NotFound")
    expect_api_error(
        lambda: core.create_namespaced_config_map("no-such-ns-" + SUFFIX, client.V1ConfigMap(metadata=meta("x"))),
        404,
        "Not Found",
        "NotFound",
        'namespaces "no-such-ns-%s" not found' % SUFFIX,
    )


def test_secret_crud():
    secret = core.create_namespaced_secret(
        NS,
        client.V1Secret(
            metadata=meta("sec", {"app": "py"}),
            type="Opaque",
            data={"password": base64.b64encode(b"hunter2").decode()},
        ),
    )
    assert secret.type == "Opaque", secret.type
    read = core.read_namespaced_secret("sec", NS)
    assert base64.b64decode(read.data["password"]) == b"hunter2", read.data
    patched = core.patch_namespaced_secret("sec", NS, {"stringData": {"user": "admin"}})
    assert base64.b64decode(patched.data.get("user", "")) == b"admin", (
        "stringData must be merged into data: %r" % patched.data
    )
    core.delete_namespaced_secret("sec", NS)
    expect_api_error(lambda: core.read_namespaced_secret("sec", NS), 404, "Not Found", "NotFound")


def deployment(name, replicas=1):
    labels = {"app": name}
    return client.V1Deployment(
        metadata=meta(name, {"app": "py"}),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="nginx:1.27")]),
            ),
        ),
    )


def test_deployment_defaults():
    defaulted = apps.create_namespaced_deployment(NS, deployment("dep-defaults", None))
    defaults = {
        "replicas": defaulted.spec.replicas,
        "strategy.type": defaulted.spec.strategy and defaulted.spec.strategy.type,
        "revisionHistoryLimit": defaulted.spec.revision_history_limit,
        "progressDeadlineSeconds": defaulted.spec.progress_deadline_seconds,
        "template.spec.restartPolicy": defaulted.spec.template.spec.restart_policy,
    }
    expected = {
        "replicas": 1,
        "strategy.type": "RollingUpdate",
        "revisionHistoryLimit": 10,
        "progressDeadlineSeconds": 600,
        "template.spec.restartPolicy": "Always",
    }
    apps.delete_namespaced_deployment("dep-defaults", NS)
    assert defaults == expected, "deployment defaults %r != %r" % (defaults, expected)


def test_deployment_crud():
    created = apps.create_namespaced_deployment(NS, deployment("dep", 2))
    assert created.spec.replicas == 2, created.spec.replicas
    assert created.metadata.generation == 1, created.metadata.generation
    read = apps.read_namespaced_deployment("dep", NS)
    assert read.spec.template.spec.containers[0].image == "nginx:1.27"

    patched = apps.patch_namespaced_deployment(
        "dep", NS, {"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:1.28"}]}}}}
    )
    containers = patched.spec.template.spec.containers
    assert [(c.name, c.image) for c in containers] == [("main", "nginx:1.28")], containers
    assert patched.metadata.generation == 2, "generation after a spec change: %r" % patched.metadata.generation

    scale = apps.patch_namespaced_deployment_scale("dep", NS, {"spec": {"replicas": 5}})
    assert scale.spec.replicas == 5, scale.spec
    assert apps.read_namespaced_deployment_scale("dep", NS).spec.replicas == 5
    assert apps.read_namespaced_deployment("dep", NS).spec.replicas == 5

    read = apps.read_namespaced_deployment("dep", NS)
    read.spec.replicas = 1
    replaced = apps.replace_namespaced_deployment("dep", NS, read)
    assert replaced.spec.replicas == 1, replaced.spec.replicas

    apps.delete_namespaced_deployment("dep", NS, propagation_policy="Background")
    expect_api_error(
        lambda: apps.read_namespaced_deployment("dep", NS),
        404,
        "Not Found",
        "NotFound",
        'deployments.apps "dep" not found',
    )


def test_service_crud():
    created = core.create_namespaced_service(
        NS,
        client.V1Service(
            metadata=meta("svc", {"app": "py"}),
            spec=client.V1ServiceSpec(
                selector={"app": "dep"},
                ports=[client.V1ServicePort(port=80, target_port=8080, protocol="TCP")],
            ),
        ),
    )
    defaults = {
        "type": created.spec.type,
        "clusterIP allocated": bool(created.spec.cluster_ip),
        "sessionAffinity": created.spec.session_affinity,
        "ports[0].protocol": created.spec.ports[0].protocol,
    }
    expected = {"type": "ClusterIP", "clusterIP allocated": True, "sessionAffinity": "None", "ports[0].protocol": "TCP"}
    assert defaults == expected, "service defaults %r != %r" % (defaults, expected)
    read = core.read_namespaced_service("svc", NS)
    assert read.spec.cluster_ip == created.spec.cluster_ip
    assert read.spec.ports[0].target_port == 8080, read.spec.ports
    patched = core.patch_namespaced_service(
        "svc",
        NS,
        # A Service with two ports must name both (validation); the patch merges by port.
        {"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "targetPort": 8443, "name": "https", "protocol": "TCP"}]}},
    )
    assert sorted(p.port for p in patched.spec.ports) == [80, 443], "ports merge by port: %r" % patched.spec.ports
    core.delete_namespaced_service("svc", NS)
    expect_api_error(lambda: core.read_namespaced_service("svc", NS), 404, "Not Found", "NotFound")


def test_pod_phase_after_create():
    pod = core.create_namespaced_pod(
        NS,
        client.V1Pod(
            metadata=meta("pod"),
            spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="busybox:1.36")]),
        ),
    )
    assert pod.metadata.name == "pod"
    read = core.read_namespaced_pod("pod", NS)
    assert read.status is not None and read.status.phase, "status.phase must be set at creation: %r" % read.status
    core.delete_namespaced_pod("pod", NS, grace_period_seconds=0)


def test_list_selectors():
    for name, tier in [("sel-a", "front"), ("sel-b", "back"), ("sel-c", "front")]:
        core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta(name, {"sel": "yes", "tier": tier})))
    front = core.list_namespaced_config_map(NS, label_selector="sel=yes,tier=front")
    assert [c.metadata.name for c in front.items] == ["sel-a", "sel-c"], [c.metadata.name for c in front.items]
    not_front = core.list_namespaced_config_map(NS, label_selector="sel=yes,tier!=front")
    assert [c.metadata.name for c in not_front.items] == ["sel-b"], [c.metadata.name for c in not_front.items]
    set_based = core.list_namespaced_config_map(NS, label_selector="tier in (back,middle)")
    assert [c.metadata.name for c in set_based.items] == ["sel-b"], [c.metadata.name for c in set_based.items]
    by_name = core.list_namespaced_config_map(NS, field_selector="metadata.name=sel-b")
    assert [c.metadata.name for c in by_name.items] == ["sel-b"], [c.metadata.name for c in by_name.items]
    all_ns = core.list_config_map_for_all_namespaces(field_selector="metadata.namespace=%s" % NS, label_selector="sel")
    assert sorted(c.metadata.name for c in all_ns.items) == ["sel-a", "sel-b", "sel-c"], [
        c.metadata.name for c in all_ns.items
    ]
    expect_api_error(
        lambda: core.list_namespaced_config_map(NS, label_selector="tier in in"), 400, "Bad Request", "BadRequest"
    )
    core.delete_collection_namespaced_config_map(NS, label_selector="sel=yes")
    left = core.list_namespaced_config_map(NS, label_selector="sel=yes")
    assert left.items == [], "deletecollection left %r" % [c.metadata.name for c in left.items]


def test_pagination():
    names = ["page-%02d" % i for i in range(7)]
    for name in names:
        core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta(name, {"page": "yes"})))
    seen, pages, token, rv = [], 0, None, None
    while True:
        kwargs = {"label_selector": "page=yes", "limit": 3}
        if token:
            kwargs["_continue"] = token
        page = core.list_namespaced_config_map(NS, **kwargs)
        pages += 1
        assert len(page.items) <= 3, "page %d has %d items, limit 3" % (pages, len(page.items))
        seen += [c.metadata.name for c in page.items]
        if rv is None:
            rv = page.metadata.resource_version
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count in (None, 7 - len(seen)), (
            "remainingItemCount %r after %d items" % (page.metadata.remaining_item_count, len(seen))
        )
        assert pages < 10, "pagination does not terminate"
    assert seen == names, "paginated names %r != %r" % (seen, names)
    assert pages == 3, "7 items with limit 3 should take 3 pages, took %d" % pages
    expect_api_error(
        lambda: core.list_namespaced_config_map(NS, limit=3, _continue="not-a-token"), 400, "Bad Request", "BadRequest"
    )


def test_watch():
    """The upstream Python e2e `test_watch` pattern: list, change, then watch from the list RV."""
    labels = {"watch": "yes"}
    listed = core.list_namespaced_config_map(NS, label_selector="watch=yes")
    assert listed.items == [], listed.items
    rv = listed.metadata.resource_version
    assert rv and rv.isdigit(), "list resourceVersion %r" % rv

    core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta("w-a", labels), data={"v": "1"}))
    core.patch_namespaced_config_map("w-a", NS, {"data": {"v": "2"}})
    core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta("w-b", labels), data={"v": "1"}))
    core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta("w-other"), data={"v": "1"}))
    core.delete_collection_namespaced_config_map(NS, label_selector="watch=yes")

    events = []
    started = time.monotonic()
    w = watch.Watch()
    for event in w.stream(
        core.list_namespaced_config_map,
        namespace=NS,
        label_selector="watch=yes",
        resource_version=rv,
        timeout_seconds=5,
    ):
        obj = event["object"]
        events.append((event["type"], obj.metadata.name, obj.data, obj.metadata.resource_version))
        assert len(events) < 20, "too many events: %r" % events
    elapsed = time.monotonic() - started
    assert elapsed < 15, "watch with timeoutSeconds=5 must end; took %.1fs" % elapsed

    got = [(t, n) for t, n, _, _ in events]
    expected = [("ADDED", "w-a"), ("MODIFIED", "w-a"), ("ADDED", "w-b")]
    assert got[:3] == expected, "first events %r != %r" % (got, expected)
    assert sorted(got[3:]) == [("DELETED", "w-a"), ("DELETED", "w-b")], "deletecollection events: %r" % got
    assert events[0][2] == {"v": "1"} and events[1][2] == {"v": "2"}, "event objects carry the data: %r" % events
    rvs = [int(r) for _, _, _, r in events]
    assert rvs == sorted(rvs) and len(set(rvs)) == len(rvs), "event resourceVersions must increase: %r" % rvs
    assert all(r > int(rv) for r in rvs), "events must be after the list RV %s: %r" % (rv, rvs)


def test_watch_live():
    """A watch opened now sees changes made while it runs (from a second client connection)."""
    import threading

    listed = core.list_namespaced_config_map(NS, label_selector="live=yes")
    rv = listed.metadata.resource_version
    events = []

    def consume():
        for event in watch.Watch().stream(
            core.list_namespaced_config_map,
            namespace=NS,
            label_selector="live=yes",
            resource_version=rv,
            timeout_seconds=4,
        ):
            events.append((event["type"], event["object"].metadata.name))

    thread = threading.Thread(target=consume)
    thread.start()
    time.sleep(1)
    core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta("live-1", {"live": "yes"})))
    core.delete_namespaced_config_map("live-1", NS)
    thread.join(20)
    assert not thread.is_alive(), "watch with timeoutSeconds=4 did not end"
    assert events == [("ADDED", "live-1"), ("DELETED", "live-1")], "live watch events %r" % events


def wait_gone(read, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            read()
        except ApiException as error:
            assert error.status == 404, error
            return
        time.sleep(0.2)
    raise AssertionError("%s still exists %ds later" % (what, seconds))


def test_garbage_collection():
    """Owner references and the three propagation policies, as the Python client sends them (V1DeleteOptions)."""

    def owned(name, owner, kind=client.V1ConfigMap):
        reference = client.V1OwnerReference(
            api_version="v1", kind="ConfigMap", name=owner.metadata.name, uid=owner.metadata.uid,
            block_owner_deletion=True,
        )
        body = kind(metadata=client.V1ObjectMeta(name=name, owner_references=[reference]))
        if kind is client.V1ConfigMap:
            return core.create_namespaced_config_map(NS, body)
        return core.create_namespaced_secret(NS, body)

    for policy in ["Background", "Foreground"]:
        owner = core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta("gc-" + policy.lower())))
        owned("gc-%s-cm" % policy.lower(), owner)
        owned("gc-%s-secret" % policy.lower(), owner, kind=client.V1Secret)
        core.delete_namespaced_config_map(owner.metadata.name, NS, body=client.V1DeleteOptions(propagation_policy=policy))
        for read, what in [
            (lambda: core.read_namespaced_config_map("gc-%s-cm" % policy.lower(), NS), policy + " dependent configmap"),
            (lambda: core.read_namespaced_secret("gc-%s-secret" % policy.lower(), NS), policy + " dependent secret"),
            (lambda: core.read_namespaced_config_map(owner.metadata.name, NS), policy + " owner"),
        ]:
            wait_gone(read, what)

    owner = core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta("gc-orphan")))
    owned("gc-orphan-cm", owner)
    core.delete_namespaced_config_map("gc-orphan", NS, propagation_policy="Orphan")
    wait_gone(lambda: core.read_namespaced_config_map("gc-orphan", NS), "orphaning owner")
    orphan = core.read_namespaced_config_map("gc-orphan-cm", NS)
    assert not orphan.metadata.owner_references, orphan.metadata.owner_references
    core.delete_namespaced_config_map("gc-orphan-cm", NS)


def test_delete_namespace():
    core.delete_namespace(NS)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            ns = core.read_namespace(NS)
        except ApiException as error:
            assert error.status == 404, error
            return
        assert ns.status.phase == "Terminating", "deleted namespace phase %r" % ns.status.phase
        time.sleep(0.5)
    raise AssertionError("namespace %s still exists 30s after delete" % NS)


def test_patch_types():
    core.create_namespaced_config_map(
        NS, client.V1ConfigMap(metadata=meta("patched"), data={"a": "1", "b": "2"}), field_manager="py-create"
    )
    merged = core.patch_namespaced_config_map(
        "patched", NS, {"data": {"a": "merge", "b": None}}, _content_type="application/merge-patch+json"
    )
    assert merged.data == {"a": "merge"}, merged.data
    strategic = core.patch_namespaced_config_map("patched", NS, {"data": {"c": "smp"}})
    assert strategic.data == {"a": "merge", "c": "smp"}, strategic.data
    json_patched = core.patch_namespaced_config_map("patched", NS, [{"op": "add", "path": "/data/d", "value": "j"}])
    assert json_patched.data == {"a": "merge", "c": "smp", "d": "j"}, json_patched.data
    managers = sorted((e.manager, e.operation) for e in json_patched.metadata.managed_fields)
    assert ("py-create", "Update") in managers, managers

    apps.create_namespaced_deployment(NS, deployment("dep-smp", 1))
    # Strategic merge patch merges containers by name: a new container is added, the old one kept.
    patched = apps.patch_namespaced_deployment(
        "dep-smp", NS, {"spec": {"template": {"spec": {"containers": [{"name": "side", "image": "busybox:1.36"}]}}}}
    )
    names = sorted(c.name for c in patched.spec.template.spec.containers)
    assert names == ["main", "side"], names
    apps.delete_namespaced_deployment("dep-smp", NS)
    core.delete_namespaced_config_map("patched", NS)


def test_create_from_yaml():
    from kubernetes import utils

    objects = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-yaml"}, "data": {"k": "v"}},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "from-yaml"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "from-yaml"}},
                "template": {
                    "metadata": {"labels": {"app": "from-yaml"}},
                    "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]},
                },
            },
        },
    ]
    created = utils.create_from_yaml(client.ApiClient(), yaml_objects=objects, namespace=NS)
    kinds = sorted(type(o).__name__ for group in created for o in group)
    assert kinds == ["V1ConfigMap", "V1Deployment"], kinds
    assert core.read_namespaced_config_map("from-yaml", NS).data == {"k": "v"}
    assert apps.read_namespaced_deployment("from-yaml", NS).spec.replicas == 1
    apps.delete_namespaced_deployment("from-yaml", NS)
    core.delete_namespaced_config_map("from-yaml", NS)


APPLY = "application/apply-patch+yaml"


def test_server_side_apply():
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1", "b": "2"}}
    created = core.patch_namespaced_config_map("ssa", NS, body, field_manager="python-client", _content_type=APPLY)
    assert created.data == {"a": "1", "b": "2"}, created.data
    entries = [(e.manager, e.operation, e.api_version, e.fields_type) for e in created.metadata.managed_fields]
    assert entries == [("python-client", "Apply", "v1", "FieldsV1")], entries
    assert created.metadata.managed_fields[0].fields_v1 == {"f:data": {"f:a": {}, "f:b": {}}}, created.metadata.managed_fields[0].fields_v1

    again = core.patch_namespaced_config_map("ssa", NS, body, field_manager="python-client", _content_type=APPLY)
    assert again.metadata.resource_version == created.metadata.resource_version, "a no-op apply wrote a new revision"

    # Dropping a field from the applied configuration removes it.
    fewer = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1"}}
    pruned = core.patch_namespaced_config_map("ssa", NS, fewer, field_manager="python-client", _content_type=APPLY)
    assert pruned.data == {"a": "1"}, pruned.data

    # Applying the values an object already has is not a conflict (created by POST, applied by another manager).
    core.create_namespaced_config_map(
        NS, client.V1ConfigMap(metadata=meta("shared"), data={"a": "1"}), field_manager="py-create"
    )
    shared = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"a": "1"}}
    applied = core.patch_namespaced_config_map("shared", NS, shared, field_manager="python-client", _content_type=APPLY)
    managers = sorted((e.manager, e.operation) for e in applied.metadata.managed_fields)
    assert managers == [("py-create", "Update"), ("python-client", "Apply")], managers

    # The dynamic client's server_side_apply.
    from kubernetes.dynamic import DynamicClient

    dynamic = DynamicClient(client.ApiClient())
    config_maps = dynamic.resources.get(api_version="v1", kind="ConfigMap")
    dyn_body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dyn", "namespace": NS}, "data": {"x": "y"}}
    result = config_maps.server_side_apply(body=dyn_body, name="dyn", namespace=NS, field_manager="py-dynamic")
    assert result.data.x == "y", result
    assert [e.manager for e in result.metadata.managedFields] == ["py-dynamic"], result.metadata.managedFields

    for name in ("ssa", "shared", "dyn"):
        core.delete_namespaced_config_map(name, NS)


def test_server_side_apply_conflict():
    core.create_namespaced_config_map(
        NS, client.V1ConfigMap(metadata=meta("owned"), data={"a": "1"}), field_manager="py-create"
    )
    changed = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owned"}, "data": {"a": "2"}}
    try:
        core.patch_namespaced_config_map("owned", NS, changed, field_manager="python-client", _content_type=APPLY)
    except ApiException as error:
        assert error.status == 409, error.status
        assert error.reason == "Conflict", error.reason
        expected = (
            '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
            '"message":"Apply failed with 1 conflict: conflict with \\"py-create\\" using v1: .data.a",'
            '"reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict",'
            '"message":"conflict with \\"py-create\\" using v1","field":".data.a"}]},"code":409}\n'
        )
        assert body_text(error) == expected, body_text(error)
    else:
        raise AssertionError("a conflicting apply succeeded")
    forced = core.patch_namespaced_config_map(
        "owned", NS, changed, field_manager="python-client", force=True, _content_type=APPLY
    )
    assert forced.data == {"a": "2"}, forced.data
    owners = {e.manager: e.fields_v1 for e in forced.metadata.managed_fields}
    assert owners.get("python-client") == {"f:data": {"f:a": {}}}, owners
    assert "f:a" not in (owners.get("py-create") or {}).get("f:data", {}), owners
    # force is only for apply.
    expect_api_error(
        lambda: core.patch_namespaced_config_map(
            "owned", NS, {"data": {"a": "3"}}, force=True, _content_type="application/merge-patch+json"
        ),
        422,
        "Unprocessable Entity",
        "Invalid",
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    )
    core.delete_namespaced_config_map("owned", NS)


TESTS = [
    test_namespace,
    test_configmap_crud,
    test_secret_crud,
    test_deployment_crud,
    test_deployment_defaults,
    test_service_crud,
    test_patch_types,
    test_create_from_yaml,
    test_server_side_apply,
    test_server_side_apply_conflict,
    test_pod_phase_after_create,
    test_list_selectors,
    test_pagination,
    test_watch,
    test_watch_live,
    test_garbage_collection,
    test_delete_namespace,
]


def main():
    failed = []
    for test in TESTS:
        started = time.monotonic()
        try:
            test()
        except Exception:  # report every failure, then go on
            failed.append(test.__name__)
            print("\033[1;31mFAIL\033[0m %s" % test.__name__, flush=True)
            traceback.print_exc()
            sys.stdout.flush()
        else:
            print("ok   %s (%.1fs)" % (test.__name__, time.monotonic() - started), flush=True)
    if failed:
        print("\n\033[1;31mpython client e2e: %d of %d tests FAILED: %s\033[0m" % (len(failed), len(TESTS), ", ".join(failed)))
        sys.exit(1)
    print("\npython client e2e: all %d tests passed" % len(TESTS))


if __name__ == "__main__":
    main()
