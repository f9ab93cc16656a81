import Foundation
import NIOSSL
import Testing

@testable import CTSyncSpec
@testable import CTSyncState

/// TLS is never weakened: the PostgreSQL parts and job files (issue 17, item 5).
@Suite("TLS settings")
struct TLSSettingsTests {
    @Test func postgresNeedsTLS12AtLeast() throws {
        for mode in PostgresLocation.SSLMode.allCases {
            let location = try PostgresLocation(
                parsing: "postgres://u@db.example.com/d?sslmode=\(mode.rawValue)", environment: [:])
            #expect(location.tlsConfiguration().minimumTLSVersion == .tlsv12, "\(mode)")
        }
    }

    @Test(arguments: [
        ("postgres://u@db.example.com/d?sslmode=disable", "unencrypted"),
        ("postgres://u@db.example.com/d", "never checks the server's certificate"),
        ("postgres://u@10.1.2.3:5433/d?sslmode=require", "never checks the server's certificate"),
        ("postgres://u@db.example.com/d?sslmode=verify-ca", "not that it was issued for db.example.com"),
    ])
    func networkStateWithoutVerifyFullIsWarned(_ url: String, risk: String) throws {
        let location = try StateLocation(parsing: url, environment: ["PGPASSWORD": "hunter22"])
        let warnings = location.warnings()
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(risk) == true, "\(warnings)")
        #expect(warnings.first?.contains("use sslmode=verify-full") == true)
        #expect(warnings.first?.contains("hunter22") == false)
    }

    @Test(arguments: [
        "postgres://u@db.example.com/d?sslmode=verify-full", "postgres://u@127.0.0.1:5432/d",
        "postgres://u@localhost/d?sslmode=disable", "postgres://u@[::1]:5432/d",
    ])
    func verifyFullOrLoopbackIsQuiet(_ url: String) throws {
        #expect(try StateLocation(parsing: url, environment: [:]).warnings().isEmpty)
    }

    /// Job files have no TLS setting at all: a key that would turn verification off is
    /// an unknown key, an error, wherever it is put.
    @Test(arguments: [
        ("destination", "insecure: true"), ("destination", "tls_verify: false"),
        ("destination", "verify_certificate: false"), ("options", "insecure_skip_verify: true"),
        ("options", "ca_file: /tmp/ca.pem"), ("source", "sslmode: disable"),
    ])
    func jobFilesCannotTurnVerificationOff(section: String, line: String) throws {
        let yaml = """
            version: 1
            name: tls
            destination:
              region: in1
              account_id: "1"
              passcode: ${P}
            source:
              file: x.csv
            object: profiles
            mappings:
              - { from: email, to: identity }
            options:
              batch_size: 10
            """
        let patched = yaml.replacingOccurrences(of: "\(section):\n", with: "\(section):\n  \(line)\n")
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", patched)
        let loaded = JobLoader.load(path: path, environment: ["P": "x"], unsetVariableSeverity: .error)
        #expect(loaded.spec == nil)
        let key = String(line.prefix { $0 != ":" })
        #expect(
            loaded.diagnostics.contains { $0.rule == .unknownKey && $0.message.hasPrefix("unknown key \"\(key)\"") },
            "\(loaded.diagnostics)")
    }
}
