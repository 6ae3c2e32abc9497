public import Crypto
#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif
public import SkiffAPIMachinery

/// Issues and verifies service account tokens: ES256 JSON Web Tokens with upstream's claims
/// (↔ `pkg/serviceaccount/jwt.go` and `claims.go`).
///
/// `serviceaccounts/<name>/token` (TokenRequest, `kubectl create token`) issues them; the API server accepts them as
/// bearer tokens for `system:serviceaccount:<namespace>:<name>`, in the groups `system:serviceaccounts` and
/// `system:serviceaccounts:<namespace>`. Tokens are bound to the service account's uid and expire; checking that
/// the service account (or a bound object) still exists is not done yet.
public struct ServiceAccountTokens: Sendable {
    /// The issuer upstream uses by default (`--service-account-issuer`).
    public static let defaultIssuer = "https://kubernetes.default.svc.cluster.local"

    let key: P256.Signing.PrivateKey
    let issuer: String
    let keyID: String

    /// Tokens signed with `key`.
    public init(key: P256.Signing.PrivateKey, issuer: String = ServiceAccountTokens.defaultIssuer) {
        self.key = key
        self.issuer = issuer
        // A stable key id from the public key, as upstream derives it (a digest of the public key).
        let digest = SHA256.hash(data: key.publicKey.derRepresentation)
        self.keyID = Self.base64URL(Array(digest))
    }

    /// A signed token for the service account.
    package func issue(
        namespace: String,
        name: String,
        uid: String,
        audiences: [String],
        expirationSeconds: Int64,
        boundObject: (kind: String, name: String, uid: String)?,
        now: Date
    ) throws -> (token: String, expiration: Date) {
        let issuedAt = Int64(now.timeIntervalSince1970)
        let expiration = issuedAt + expirationSeconds
        var kubernetes: JSONObject = [
            "namespace": .string(namespace),
            "serviceaccount": ["name": .string(name), "uid": .string(uid)],
        ]
        if let boundObject {
            kubernetes[boundObject.kind.lowercased()] = ["name": .string(boundObject.name), "uid": .string(boundObject.uid)]
        }
        let claims: JSONValue = [
            "aud": .array(audiences.map { .string($0) }),
            "exp": .int(expiration),
            "iat": .int(issuedAt),
            "iss": .string(self.issuer),
            "jti": .string(RandomNames.uuid()),
            "kubernetes.io": .object(kubernetes),
            "nbf": .int(issuedAt),
            "sub": .string("system:serviceaccount:\(namespace):\(name)"),
        ]
        let header: JSONValue = ["alg": "ES256", "kid": .string(self.keyID)]
        let signingInput = Self.base64URL(header.serialized()) + "." + Self.base64URL(claims.serialized())
        let signature = try self.key.signature(for: Array(signingInput.utf8))
        let token = signingInput + "." + Self.base64URL(Array(signature.rawRepresentation))
        return (token, Date(timeIntervalSince1970: TimeInterval(expiration)))
    }

    /// The user a token authenticates, or `nil` when it is not a valid, unexpired token of this issuer for one of
    /// `audiences` (any audience when empty).
    public func authenticate(_ token: String, audiences: [String] = [], now: Date = Date()) -> UserInfo? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = Self.decodeBase64URL(parts[0]),
            let claimsBytes = Self.decodeBase64URL(parts[1]),
            let signatureBytes = Self.decodeBase64URL(parts[2]),
            let header = try? JSONValue.parse(headerBytes),
            header["alg"] == "ES256",
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
            self.key.publicKey.isValidSignature(signature, for: Array((parts[0] + "." + parts[1]).utf8)),
            let claims = try? JSONValue.parse(claimsBytes),
            claims["iss"]?.stringValue == self.issuer,
            case .int(let expiration)? = claims["exp"], expiration > Int64(now.timeIntervalSince1970),
            let subject = claims["sub"]?.stringValue, subject.hasPrefix("system:serviceaccount:")
        else { return nil }
        if case .int(let notBefore)? = claims["nbf"], notBefore > Int64(now.timeIntervalSince1970) + 60 { return nil }
        if !audiences.isEmpty {
            let tokenAudiences = claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard tokenAudiences.contains(where: audiences.contains) else { return nil }
        }
        let namespace = claims["kubernetes.io"]?["namespace"]?.stringValue ?? ""
        let uid = claims["kubernetes.io"]?["serviceaccount"]?["uid"]?.stringValue ?? ""
        return UserInfo(
            name: subject,
            uid: uid,
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"]
        )
    }

    /// Base64url without padding (RFC 7515 §2).
    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while standard.utf8.count % 4 != 0 { standard.append("=") }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
