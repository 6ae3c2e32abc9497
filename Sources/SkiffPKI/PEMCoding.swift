import SwiftASN1
import X509

/// Parsing and joining PEM documents, with errors that say what was being read.
enum PEMCoding {
    /// The first certificate in `pem`.
    static func certificate(_ pem: String, describedAs what: String) throws -> Certificate {
        do {
            return try Certificate(pemEncoded: pem)
        } catch {
            throw PKIError(
                code: .invalidCertificate,
                message: "\(what) is not a PEM 'CERTIFICATE' document.",
                cause: error
            )
        }
    }

    /// The private key in `pem`: PKCS#8, SEC1 or PKCS#1.
    static func privateKey(_ pem: String, describedAs what: String) throws -> Certificate.PrivateKey {
        do {
            return try Certificate.PrivateKey(pemEncoded: pem)
        } catch {
            throw PKIError(
                code: .invalidPrivateKey,
                message: "\(what) is not a PEM 'PRIVATE KEY', 'EC PRIVATE KEY' or 'RSA PRIVATE KEY' document.",
                cause: error
            )
        }
    }

    /// The documents one after another, each ending in a newline.
    static func concatenate(_ documents: String...) -> String {
        documents.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined()
    }
}
