import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession
@testable import CTSyncYAML

/// `ctsync init`, the built binary end to end, on the repository's sample data.
@Suite("ctsync init")
struct InitCommandTests {
    static let env = PlannerTests.environment

    /// A working folder with the repository's data/ and schemas/job.schema.json.
    static func workspace() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        for file in ["data/contacts.csv", "data/orders.jsonl", "schemas/job.schema.json"] {
            dir.write(file, try String(contentsOfFile: Products.root + "/" + file, encoding: .utf8))
        }
        return dir
    }

    /// Every cell of a source that could identify someone: none may appear in the job file.
    static func cells(_ text: String) -> Set<String> {
        let generic: Set<String> = ["yes", "no", "true", "false", "male", "female", "null"]
        var cells = Set<String>()
        for line in text.split(separator: "\n").dropFirst() {
            for cell in line.split(whereSeparator: { ",\":{}".contains($0) }) {
                let value = cell.trimmingCharacters(in: .whitespaces)
                if value.count >= 4, !generic.contains(value.lowercased()) { cells.insert(value) }
            }
        }
        return cells
    }

    /// `plan --format json`; `status` is 1 when the data has more bad rows than max_rejected (0).
    static func planJSON(_ job: String, in dir: TemporaryDirectory, status: Int32 = 0) async throws -> PlanDocument {
        let plan = try await ctsync(
            "plan", job, "--format", "json", "--state", dir.path + "/state.sqlite", environment: env, directory: dir.path)
        #expect(plan.status == status, "\(plan.stderr)")
        return try OutputContract.decode(PlanDocument.self, plan.stdout, schema: "plan")
    }

    @Test func contactsBecomeAProfilesJobThatLintsAndPlans() async throws {
        let dir = try Self.workspace()
        let result = try await ctsync("init", "--from", "data/contacts.csv", "--region", "in1", directory: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("ctsync init: identity: \"email\" (emails in 12 of 12 sampled values)"))
        #expect(result.stderr.contains("ctsync init: primary_key: \"contact_id\" (filled and unique in all 12 sampled rows)"))
        #expect(result.stderr.contains("checked against the 12 sampled rows: 11 map to records; 1 would be rejected (Phone: invalid_phone 1)"))
        #expect(result.stderr.contains("ctsync init: wrote jobs/contacts-profiles.yaml"))
        let text = dir.read("jobs/contacts-profiles.yaml")
        #expect(text.hasPrefix("# yaml-language-server: $schema=../schemas/job.schema.json\n"))
        for expected in [
            "name: contacts-profiles", "  file: ../data/contacts.csv", "primary_key: contact_id", "identity_kind: email",
            "- { from: email, to: identity, transform: [trim, lowercase] }",
            "- { from: email, to: Email, transform: [trim, lowercase] }", "- { from: full_name, to: Name, transform: [trim] }",
            "- { from: phone, to: Phone, transform: [e164] }", "- { from: gender, to: Gender, transform: [gender] }",
            "- { from: birth_date, to: DOB, transform: [date] }",
            "- { from: email_opt_in, to: MSG-email, transform: [bool] }",
            "- { from: lifetime_value, to: Lifetime Value, transform: [number] }",
            "- { from: updated_at_ms, to: Updated At, transform: [ms_to_s, date] }",
            "- { from: plan, to: Plan }", "- { from: contact_id, to: Contact Id }",
        ] {
            #expect(text.contains(expected), "\(expected)\n\(text)")
        }
        let source = dir.read("data/contacts.csv")
        for cell in Self.cells(source) { #expect(!text.contains(cell), "sample value \(cell) in the job file") }

        let lint = try await ctsync("lint", "--strict", "jobs/contacts-profiles.yaml", environment: Self.env, directory: dir.path)
        #expect(lint.status == 0, "\(lint.stderr)")
        // The one invalid phone is over the scaffold's max_rejected: 0, so plan exits 1 as run would.
        let plan = try await Self.planJSON("jobs/contacts-profiles.yaml", in: dir, status: 1)
        #expect(plan.counts.sourceRows == 12)
        #expect(plan.counts.planned == 11)
        #expect(plan.counts.invalid == 1)
        #expect(Set(plan.rejected.keys) == ["invalid_phone"])
    }

    @Test func ordersBecomeAnEventsJobThatLintsAndPlans() async throws {
        let dir = try Self.workspace()
        let result = try await ctsync(
            "init", "--from", "data/orders.jsonl", "--region", "in1", "--object", "events", directory: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("evtName: \"Orders\", from the file name"))
        #expect(result.stderr.contains("ts: \"created_at_ms\" (epoch milliseconds, by its name and values)"))
        let text = dir.read("jobs/orders-events.yaml")
        for expected in [
            "name: orders-events", "object: events", "mode: insert", "primary_key: order_id",
            "- { from: customer_email, to: identity, transform: [trim, lowercase] }",
            "- { value: Orders, to: evtName }", "- { from: created_at_ms, to: ts, transform: [ms_to_s] }",
            "- { from: amount, to: Amount, transform: [number] }", "- { from: delivery_by, to: Delivery By, transform: [date] }",
            "- { from: currency, to: Currency }", "- { from: coupon, to: Coupon }", "- { from: order_id, to: Order Id }",
        ] {
            #expect(text.contains(expected), "\(expected)\n\(text)")
        }
        for cell in Self.cells(dir.read("data/orders.jsonl")) where !["order_id", "customer_email", "created_at_ms", "amount", "currency", "delivery_by", "coupon"].contains(cell) {
            #expect(!text.contains(cell), "sample value \(cell) in the job file")
        }
        let lint = try await ctsync("lint", "--strict", "jobs/", environment: Self.env, directory: dir.path)
        #expect(lint.status == 0, "\(lint.stderr)")
        let plan = try await Self.planJSON("jobs/orders-events.yaml", in: dir)
        #expect(plan.counts.planned == 6)
        #expect(plan.rejected.isEmpty)
    }

    @Test func neverOverwrites() async throws {
        let dir = try Self.workspace()
        let job = dir.write("jobs/contacts-profiles.yaml", "# mine\n")
        let result = try await ctsync("init", "--from", "data/contacts.csv", "--region", "in1", directory: dir.path)
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "ctsync init: jobs/contacts-profiles.yaml exists; ctsync init never overwrites a job: pass --name or --output for another file, or remove it first\n"
        )
        #expect(try String(contentsOfFile: job, encoding: .utf8) == "# mine\n")
        let other = try await ctsync(
            "init", "--from", "data/contacts.csv", "--region", "in1", "--name", "crm", "--output", "elsewhere/",
            directory: dir.path)
        #expect(other.status == 0, "\(other.stderr)")
        #expect(dir.read("elsewhere/crm.yaml").contains("  file: ../data/contacts.csv"))
        #expect(dir.read("elsewhere/crm.yaml").hasPrefix("# yaml-language-server: $schema=../schemas/job.schema.json\n"))
    }

    @Test func usageErrors() async throws {
        let dir = try Self.workspace()
        dir.write("data/export.txt", "a,b\n1,2\n")
        let format = try await ctsync("init", "--from", "data/export.txt", "--region", "in1", directory: dir.path)
        #expect(format.status == 64)
        #expect(format.stderr.contains("pass --format csv, tsv or jsonl"))
        #expect(try await ctsync("init", "--from", "data/contacts.csv", "--region", "xx1", directory: dir.path).status == 64)
        let missing = try await ctsync("init", "--from", "data/nope.csv", "--region", "in1", directory: dir.path)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot open source file"))
        let tsv = try await ctsync(
            "init", "--from", "data/export.txt", "--format", "csv", "--region", "in1", "--name", "export", directory: dir.path)
        #expect(tsv.status == 0, "\(tsv.stderr)")
        #expect(dir.read("jobs/export.yaml").contains("  format: csv\n"))
    }

    /// Header names YAML would misread are quoted, `${` is escaped, and they all come back as written.
    @Test func awkwardColumnNamesRoundTrip() async throws {
        let dir = TemporaryDirectory()
        let names = ["a: b", "#x", "${HOME}", "true", "1", " lead", "quo\"te", "null", "email", "- dash", "x,y", "Ünï"]
        let header = names.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
        dir.write("odd.csv", header + "\n" + (0..<names.count).map { $0 == 8 ? "a@example.com" : "v\($0)" }.joined(separator: ",") + "\n")
        let result = try await ctsync("init", "--from", "odd.csv", "--region", "eu1", "--output", "odd.yaml", directory: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let loaded = JobLoader.load(path: dir.path + "/odd.yaml", environment: Self.env, unsetVariableSeverity: .error)
        let spec = try #require(loaded.spec, "\(loaded.diagnostics)\n\(dir.read("odd.yaml"))")
        #expect(Set(spec.mappings.compactMap(\.column?.value)) == Set(names))
        #expect(Linter.rules(for: spec).filter { $0.severity == .error }.isEmpty)
        // No schemas/ in this folder: no modeline pointing nowhere.
        #expect(!dir.read("odd.yaml").contains("yaml-language-server"))
    }

    @Test(arguments: [
        "plain", "Customer Type", "a: b", "#x", "${HOME}", "true", "NO", "1", "1.5", " lead", "trail ", "quo\"te", "back\\slash",
        "tab\there", "new\nline", "- dash", "[x]", "{x}", "x,y", "@at", "!bang", "*star", "&amp", "%pct", "`tick`", "'single'",
        "Ünïcödé", "~", "", "x #y", "a  b",
    ])
    func scalarsReadBackAsWritten(_ text: String) throws {
        let yaml = "key: [\(ScaffoldWriter.scalar(text))]\n"
        let root = try #require(try YAMLLoader.load(SourceText(path: "t.yaml", bytes: Array(yaml.utf8))))
        let scalar = try #require(root["key"]?.sequence?.first?.scalar, "\(yaml)")
        #expect(scalar.value == text.replacingOccurrences(of: "${", with: "$${"), "\(yaml)")
        if text.isEmpty || ["true", "NO", "1", "1.5", "~"].contains(text) {
            #expect(scalar.style != .plain, "\(yaml)")
        }
    }
}
