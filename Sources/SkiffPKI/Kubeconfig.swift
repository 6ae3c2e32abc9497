import Foundation

/// Renders and writes kubeconfig files that embed a client certificate, like the one k3s writes to
/// `/etc/rancher/k3s/k3s.yaml`.
///
/// ```swift
/// let text = Kubeconfig.render(
///     server: "https://127.0.0.1:6443",
///     certificateAuthorityPEM: pki.certificateAuthority.certificatePEM,
///     clientCertificatePEM: pki.admin.certificatePEM,
///     clientKeyPEM: pki.admin.privateKeyPEM
/// )
/// try Kubeconfig.write(text, to: "/etc/skiff/skiff.yaml")
/// ```
///
/// ## Topics
/// - ``render(server:certificateAuthorityPEM:clientCertificatePEM:clientKeyPEM:clusterName:userName:contextName:)``
/// - ``write(_:to:)``
public enum Kubeconfig {
    /// A kubeconfig (`apiVersion: v1`, `kind: Config`) with one cluster, one user and one context, the current one.
    ///
    /// The PEM documents are embedded base64 encoded as `certificate-authority-data`, `client-certificate-data` and
    /// `client-key-data`. Keys are in the order `kubectl config view` prints them.
    public static func render(
        server: String,
        certificateAuthorityPEM: String,
        clientCertificatePEM: String,
        clientKeyPEM: String,
        clusterName: String = "default",
        userName: String = "default",
        contextName: String = "default"
    ) -> String {
        let base64 = { (pem: String) in Data(pem.utf8).base64EncodedString() }
        return """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: \(base64(certificateAuthorityPEM))
                server: \(self.scalar(server))
              name: \(self.scalar(clusterName))
            contexts:
            - context:
                cluster: \(self.scalar(clusterName))
                user: \(self.scalar(userName))
              name: \(self.scalar(contextName))
            current-context: \(self.scalar(contextName))
            kind: Config
            preferences: {}
            users:
            - name: \(self.scalar(userName))
              user:
                client-certificate-data: \(base64(clientCertificatePEM))
                client-key-data: \(base64(clientKeyPEM))

            """
    }

    /// Writes `text` to `path` atomically with mode 0600, creating missing parent directories (mode 0755).
    ///
    /// - Throws: ``PKIError`` with ``PKIError/Code-swift.struct/fileSystem``.
    public static func write(_ text: String, to path: String) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileStore.makeDirectory(parent, mode: 0o755, enforceMode: false)
        try FileStore.writeAtomically(text, to: path, mode: 0o600)
    }

    /// `value` as a YAML scalar: plain when that reads back as the same string, double-quoted otherwise.
    static func scalar(_ value: String) -> String {
        let plainSafe = value.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ":", "@", "+": true
            default: false
            }
        }
        let reserved: Set<String> = ["", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n"]
        let startsSafely = value.first.map { $0.isLetter || $0 == "/" || $0 == "_" } ?? false
        if plainSafe, startsSafely, !reserved.contains(value.lowercased()), !value.hasSuffix(":"),
            !value.contains(": ")
        {
            return value
        }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                quoted += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
