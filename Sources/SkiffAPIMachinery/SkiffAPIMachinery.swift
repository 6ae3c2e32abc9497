/// The Kubernetes version this build of Skiff speaks on the wire.
public enum KubernetesVersion {
    public static let major = "1"
    public static let minor = "32"
    public static let gitVersion = "v1.32.4"
}
