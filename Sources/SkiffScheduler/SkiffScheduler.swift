/// SkiffScheduler: places pods on nodes as kube-scheduler does, seeing the cluster only through the API.
public enum SkiffSchedulerLibrary {}
