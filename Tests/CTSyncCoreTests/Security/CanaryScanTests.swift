import ClevertapSandbox
import Foundation
import Testing

/// No personal data where it was not asked for (issue 17, item 4): canary emails and
/// phone numbers in the source, as primary keys, identities, `Email` and `Phone`, go
/// through every command and output; none of them may show a canary unless
/// `--show-pii`/`--report-pii` (or `--records`, whose point is the records) asked for it.
@Suite("Canary scan")
struct CanaryScanTests {
    /// Fragments of the canaries: a leak of any of them, whole or in part, is caught.
    static let fragments = ["q7x2", "leak.example", "4155550199", "4155550188"]

    /// Rows that reach every path: sent and acknowledged, duplicate keys, an invalid
    /// phone, an invalid email, a ragged row, and a row the sandbox refuses (two custom
    /// properties where it allows one) while echoing the record back.
    static let contacts = """
        email,phone,name,c1,c2
        canary.q7x2@leak.example,+14155550199,Canary One,a,
        canary.q7x2@leak.example,+14155550199,Canary Dup,b,
        canary.q7x2+p@leak.example,0199q7x2,Canary Bad Phone,,
        q7x2-not-an-email,+14155550199,Canary Bad Email,,
        canary.q7x2+r@leak.example,+14155550199
        canary.q7x2+s@leak.example,+14155550188,Canary Sandbox,x,y

        """

    static let emailsJob = """
        version: 1
        name: emails
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: contacts.csv }
        object: profiles
        primary_key: email
        identity_kind: email
        mappings:
          - { from: email, to: identity }
          - { from: email, to: Email }
          - { from: phone, to: Phone }
          - { from: name, to: Name }
          - { from: c1, to: Custom One }
          - { from: c2, to: Custom Two }
        options: { batch_size: 2, max_attempts: 2 }
        """

    static let phonesJob = """
        version: 1
        name: phones
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: contacts.csv }
        object: profiles
        primary_key: phone
        mappings:
          - { from: phone, to: identity }
          - { from: phone, to: Phone, transform: [e164] }
          - { from: email, to: Email }
          - { from: c1, to: Custom One }
          - { from: c2, to: Custom Two }
        options: { max_attempts: 2, max_rejected: 100% }
        """

    /// Malformed JSONL lines carrying the canaries.
    static let jsonl = """
        {"email": "canary.q7x2@leak.example", "phone": "+14155550199"}
        {"email": "canary.q7x2+j@leak.example", "phone": 
        "canary.q7x2+k@leak.example"
        {"email": "canary.q7x2+l@leak.example", "phone": "+14155550199", "email": "x"}
        {"email": "canary.q7x2+m@leak, "phone": "+14155550188"}
        {"email": ["canary.q7x2+n@leak.example"], "phone": "+14155550199"}

        """

    static let jsonlJob = """
        version: 1
        name: lines
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: contacts.jsonl }
        object: profiles
        primary_key: email
        mappings:
          - { from: email, to: identity }
          - { from: phone, to: Phone }
        options: { max_rejected: 100% }
        """

    /// Fails the test for every canary fragment in `text`.
    static func expectClean(_ text: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for fragment in fragments where text.contains(fragment) {
            let line = text.split(separator: "\n").first { $0.contains(fragment) } ?? ""
            Issue.record("\(label) shows the canary \"\(fragment)\": \(line.prefix(400))", sourceLocation: sourceLocation)
        }
    }

    static func expectLeaks(_ text: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(text.contains("q7x2"), "\(label) should show the canary it was asked for", sourceLocation: sourceLocation)
    }

    @Test func noCommandShowsTheCanaryUnlessAsked() async throws {
        try await RunFixture.with(limits: ValidationLimits(maxCustomProfileProperties: 1)) { fixture in
            let dir = fixture.dir
            dir.write("jobs/contacts.csv", Self.contacts)
            dir.write("jobs/emails.yaml", Self.emailsJob)
            dir.write("jobs/phones.yaml", Self.phonesJob)
            dir.write("lines/contacts.jsonl", Self.jsonl)
            dir.write("lines/lines.yaml", Self.jsonlJob)
            let environment = fixture.environment
            let state = dir.path + "/state.sqlite"

            func ctsync(_ arguments: String...) async throws -> ProcessResult {
                try await runProcessDetached(Products.ctsync, arguments, environment: environment, directory: dir.path)
            }
            func scan(_ result: ProcessResult, _ label: String) {
                Self.expectClean(result.stdout, "\(label): stdout")
                Self.expectClean(result.stderr, "\(label): stderr")
            }

            // lint: every format.
            for format in ["text", "json", "github"] {
                scan(try await ctsync("lint", "jobs", "lines", "--format", format), "lint --format \(format)")
            }

            // plan: text and JSON, each job, and with --records (the file is the records: asked for).
            for job in ["jobs/emails.yaml", "jobs/phones.yaml", "lines/lines.yaml"] {
                for format in ["text", "json"] {
                    let plan = try await ctsync("plan", job, "--state", state, "--format", format)
                    // 1 when the invalid rows exceed the job's max_rejected, as run would.
                    #expect(plan.status == 0 || plan.status == 1, "\(job): \(plan.stderr)")
                    scan(plan, "plan \(job) --format \(format)")
                }
                let records = dir.path + "/records-\(UUID().uuidString).jsonl"
                let plan = try await ctsync("plan", job, "--state", state, "--records", records, "--detailed-exitcode")
                scan(plan, "plan \(job) --records")
                if job != "lines/lines.yaml" { Self.expectLeaks(dir.read((records as NSString).lastPathComponent), "--records") }
            }
            // plan --rejects: every invalid row, keys and values redacted.
            let planRejects = dir.path + "/plan-rejects.jsonl"
            let planned = try await ctsync("plan", "jobs", "lines", "--state", state, "--rejects", planRejects)
            scan(planned, "plan --rejects")
            let planRejectsText = dir.read("plan-rejects.jsonl")
            #expect(planRejectsText.split(separator: "\n").count >= 10, "\(planRejectsText)")
            Self.expectClean(planRejectsText, "plan --rejects file")
            let plan = try await ctsync("plan", "jobs/emails.yaml", "--state", state)
            #expect(plan.stdout.contains("invalid_phone"))
            #expect(plan.stdout.contains("duplicate_primary_key"))
            #expect(plan.stdout.contains("invalid_email") || plan.stdout.contains("identity_kind_mismatch"))
            #expect(plan.stdout.contains("invalid_row"))

            // run, with progress lines (stderr is not a terminal: the CI form), twice: the
            // rows the sandbox refused are planned and refused again.
            for attempt in 1...2 {
                let reports = dir.path + "/reports-\(attempt)/"
                let rejects = "rejects-\(attempt).jsonl"
                let run = try await ctsync(
                    "run", "jobs", "lines", "--state", state, "--report", reports, "--rejects", dir.path + "/" + rejects)
                #expect(run.status == 1, "\(run.stderr)")
                scan(run, "run #\(attempt)")
                let rejectsText = dir.read(rejects)
                #expect(rejectsText.contains("\"outcome\":\"rejected\""), "the sandbox's refusal is in the rejects file")
                Self.expectClean(rejectsText, "rejects file (run #\(attempt))")
                let files = FileSystemListing.files(in: reports)
                #expect(files.count == 3)
                for file in files {
                    let text = (try? String(contentsOfFile: reports + file, encoding: .utf8)) ?? ""
                    Self.expectClean(text, "report \(file) (run #\(attempt))")
                    if file.hasPrefix("emails") { #expect(text.contains("\"rejected\":1") || text.contains("\"rejected\": 1"), "\(text)") }
                }
            }
            #expect(fixture.server.stats().recordsUnprocessed >= 4, "the sandbox refused (and echoed) records")

            // Asked for: the canaries may (and do) appear.
            Self.expectLeaks(try await ctsync("plan", "jobs/emails.yaml", "--state", state, "--show-pii").stdout, "plan --show-pii")
            let pii = dir.path + "/pii/"
            _ = try await ctsync(
                "run", "jobs", "--state", state, "--report", pii, "--report-pii", "--quiet", "--rejects", pii + "rejects.jsonl")
            Self.expectLeaks(dir.read("pii/rejects.jsonl"), "run --report-pii --rejects")
            let emails = FileSystemListing.files(in: pii).first { $0.hasPrefix("emails") && $0.hasSuffix(".json") } ?? ""
            Self.expectLeaks((try? String(contentsOfFile: pii + emails, encoding: .utf8)) ?? "", "run --report-pii")
        }
    }

    /// A job that cannot run: its errors name the place, never a row's values.
    @Test func errorsQuoteNoValues() async throws {
        try await RunFixture.with() { fixture in
            let dir = fixture.dir
            dir.write("contacts.csv", Self.contacts)
            // A column the source lacks; the header names columns, never values.
            let job = dir.write(
                "job.yaml", Self.emailsJob.replacingOccurrences(of: "{ from: name, to: Name }", with: "{ from: nom, to: Name }"))
            let plan = try await runProcessDetached(
                Products.ctsync, ["plan", job, "--state", dir.path + "/s.sqlite"], environment: fixture.environment)
            #expect(plan.status == 1)
            Self.expectClean(plan.stdout + plan.stderr, "plan with a missing column")
            // Wrong passcode: the run aborts; nothing of the rows is quoted.
            var environment = fixture.environment
            environment["CLEVERTAP_PASSCODE"] = "wrong-passcode"
            dir.write("job.yaml", Self.emailsJob)
            let run = try await runProcessDetached(
                Products.ctsync, ["run", job, "--state", dir.path + "/s.sqlite", "--report", dir.path + "/r.json"],
                environment: environment)
            #expect(run.status == 3, "\(run.stderr)")
            Self.expectClean(run.stdout + run.stderr + dir.read("r.json"), "run with a wrong passcode")
            #expect(!(run.stdout + run.stderr + dir.read("r.json")).contains("wrong-passcode"))
        }
    }
}

enum FileSystemListing {
    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }
}
