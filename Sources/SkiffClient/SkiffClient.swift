/// SkiffClient: the client library every Skiff component uses to reach the API server (↔ client-go).
///
/// Typed clients over HTTPS (kubeconfig) or in-process (the API handler's own request path), informers with
/// indexed caches and listers, rate-limited work queues, leader election on Leases and an event recorder.
public enum SkiffClientLibrary {}
