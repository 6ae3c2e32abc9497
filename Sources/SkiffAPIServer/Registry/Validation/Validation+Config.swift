import SkiffAPI
import SkiffAPIMachinery

/// Upstream's validation of configuration and identity kinds: ConfigMap, Secret, Namespace, Node,
/// ServiceAccount (↔ `pkg/apis/core/validation`).
enum ConfigValidation {
    /// The largest ConfigMap or Secret payload (1 MiB), upstream's `MaxSecretSize`.
    static let maxSize = 1 * 1024 * 1024
    static let immutableWhenSet = "field is immutable when `immutable` is set"

    // MARK: ConfigMap

    /// `ValidateConfigMap`.
    static func configMap(_ configMap: CoreV1.ConfigMap) -> [FieldError] {
        var errors = CommonValidation.objectMeta(configMap.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        var total = 0
        let data = configMap.data ?? [:]
        let binary = configMap.binaryData ?? [:]
        for key in data.keys.sorted() {
            for message in Validation.isConfigMapKey(key) {
                errors.append(.invalid(FieldPath("data").key(key), key, message))
            }
            if binary[key] != nil {
                errors.append(.invalid(FieldPath("data").key(key), key, "duplicate of key present in binaryData"))
            }
            total += data[key]!.utf8.count
        }
        for key in binary.keys.sorted() {
            for message in Validation.isConfigMapKey(key) {
                errors.append(.invalid(FieldPath("binaryData").key(key), key, message))
            }
            total += Self.decodedLength(binary[key]!)
        }
        if total > Self.maxSize {
            errors.append(.tooLong(FieldPath(""), maxLength: Self.maxSize))
        }
        return errors
    }

    /// `ValidateConfigMapUpdate`.
    static func configMapUpdate(_ new: CoreV1.ConfigMap, old: CoreV1.ConfigMap) -> [FieldError] {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        if old.immutable == true {
            if new.immutable != true { errors.append(.forbidden(FieldPath("immutable"), Self.immutableWhenSet)) }
            if (new.data ?? [:]) != (old.data ?? [:]) { errors.append(.forbidden(FieldPath("data"), Self.immutableWhenSet)) }
            if (new.binaryData ?? [:]) != (old.binaryData ?? [:]) {
                errors.append(.forbidden(FieldPath("binaryData"), Self.immutableWhenSet))
            }
        }
        return errors + Self.configMap(new)
    }

    /// The byte length of base64 `text` once decoded.
    static func decodedLength(_ text: String) -> Int {
        let count = text.utf8.count
        var padding = 0
        if text.hasSuffix("==") { padding = 2 } else if text.hasSuffix("=") { padding = 1 }
        return count / 4 * 3 + (count % 4 == 0 ? 0 : max(count % 4 - 1, 0)) - padding
    }

    // MARK: Secret

    /// `ValidateSecret`: keys, size, and the keys each built-in type requires.
    static func secret(_ secret: CoreV1.Secret) -> [FieldError] {
        var errors = CommonValidation.objectMeta(secret.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let dataPath = FieldPath("data")
        let data = secret.data ?? [:]
        var total = 0
        for key in data.keys.sorted() {
            for message in Validation.isConfigMapKey(key) {
                errors.append(.invalid(dataPath.key(key), key, message))
            }
            total += Self.decodedLength(data[key]!)
        }
        if total > Self.maxSize {
            errors.append(.tooLong(dataPath, maxLength: Self.maxSize))
        }
        switch secret.type ?? "" {
        case "kubernetes.io/service-account-token":
            if (secret.metadata.annotations?["kubernetes.io/service-account.name"] ?? "").isEmpty {
                errors.append(
                    .required(FieldPath("metadata").child("annotations").key("kubernetes.io/service-account.name"), "")
                )
            }
        case "kubernetes.io/dockercfg":
            errors += Self.jsonKey(".dockercfg", in: data, path: dataPath)
        case "kubernetes.io/dockerconfigjson":
            errors += Self.jsonKey(".dockerconfigjson", in: data, path: dataPath)
        case "kubernetes.io/basic-auth":
            if data["username"] == nil && data["password"] == nil {
                errors.append(.required(dataPath.key("username"), ""))
                errors.append(.required(dataPath.key("password"), ""))
            }
        case "kubernetes.io/ssh-auth":
            if Self.decodedLength(data["ssh-privatekey"] ?? "") == 0 {
                errors.append(.required(dataPath.key("ssh-privatekey"), ""))
            }
        case "kubernetes.io/tls":
            if data["tls.crt"] == nil { errors.append(.required(dataPath.key("tls.crt"), "")) }
            if data["tls.key"] == nil { errors.append(.required(dataPath.key("tls.key"), "")) }
        default:
            break
        }
        return errors
    }

    private static func jsonKey(_ key: String, in data: [String: String], path: FieldPath) -> [FieldError] {
        guard let encoded = data[key] else { return [.required(path.key(key), "")] }
        guard let bytes = Base64.decode(encoded), case .object? = try? JSONValue.parse(bytes) else {
            return [.invalid(path.key(key), "<secret contents redacted>", "unexpected end of JSON input")]
        }
        return []
    }

    /// `ValidateSecretUpdate`: the type is immutable, and so is the data of an immutable Secret.
    static func secretUpdate(_ new: CoreV1.Secret, old: CoreV1.Secret) -> [FieldError] {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        if (new.type ?? "") != (old.type ?? "") {
            errors.append(.invalid(FieldPath("type"), new.type ?? "", CommonValidation.immutableMessage))
        }
        if old.immutable == true {
            if new.immutable != true { errors.append(.forbidden(FieldPath("immutable"), Self.immutableWhenSet)) }
            if (new.data ?? [:]) != (old.data ?? [:]) { errors.append(.forbidden(FieldPath("data"), Self.immutableWhenSet)) }
        }
        return errors + Self.secret(new)
    }

    // MARK: Namespace, Node, ServiceAccount

    /// `ValidateNamespace`: a DNS label name and valid finalizer names.
    static func namespace(_ namespace: CoreV1.Namespace) -> [FieldError] {
        var errors = CommonValidation.objectMeta(namespace.metadata, namespaced: false, name: CommonValidation.dnsLabelName)
        for finalizer in namespace.spec?.finalizers ?? [] {
            errors += CommonValidation.finalizerName(finalizer, path: FieldPath("spec").child("finalizers"))
        }
        return errors
    }

    /// `ValidateNode`: taints and pod CIDRs.
    static func node(_ node: CoreV1.Node) -> [FieldError] {
        var errors = CommonValidation.objectMeta(node.metadata, namespaced: false, name: CommonValidation.dnsSubdomainName)
        let spec = node.spec ?? CoreV1.NodeSpec()
        let taintsPath = FieldPath("spec").child("taints")
        var seen = Set<String>()
        for (index, taint) in (spec.taints ?? []).enumerated() {
            let taintPath = taintsPath.index(index)
            errors += CommonValidation.qualifiedName(taint.key, path: taintPath.child("key"))
            if let value = taint.value {
                errors += Validation.isValidLabelValue(value).map { FieldError.invalid(taintPath.child("value"), value, $0) }
            }
            if taint.effect.isEmpty {
                errors.append(.required(taintPath.child("effect"), ""))
            } else if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(taint.effect) {
                errors.append(.notSupported(taintPath.child("effect"), taint.effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"]))
            }
            if !seen.insert(taint.key + "\u{0}" + taint.effect).inserted {
                errors.append(
                    .duplicate(
                        taintPath,
                        .formatted("core.Taint{Key:\(GoSyntax.quoted(taint.key)), Value:\(GoSyntax.quoted(taint.value ?? "")), Effect:\(GoSyntax.quoted(taint.effect)), TimeAdded:<nil>}")
                    )
                )
            }
        }
        for (index, cidr) in (spec.podCIDRs ?? []).enumerated() {
            for message in Validation.isValidCIDR(cidr) {
                errors.append(.invalid(FieldPath("spec").child("podCIDRs").index(index), cidr, message))
            }
        }
        return errors
    }

    static func serviceAccount(_ account: CoreV1.ServiceAccount) -> [FieldError] {
        CommonValidation.objectMeta(account.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
    }
}

/// Standard base64 decoding without Foundation.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var table = [UInt8](repeating: 255, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") { break }
            let value = table[Int(byte)]
            guard value != 255 else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return output
    }
}
