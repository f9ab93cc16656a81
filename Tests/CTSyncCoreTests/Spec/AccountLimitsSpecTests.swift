import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec

/// `destination.limits`: decoded, validated within CleverTap's limits, and pointed at
/// where it is written when wrong.
@Suite("destination.limits")
struct AccountLimitsSpecTests {
    static func yaml(_ limits: String) -> String {
        LintFixtureTests.valid.replacing("passcode: ${CLEVERTAP_PASSCODE}\n", with: "passcode: ${CLEVERTAP_PASSCODE}\n  limits: \(limits)\n")
    }

    static func spec(_ yaml: String) throws -> JobSpec {
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\n")
        let path = dir.write("job.yaml", yaml)
        return try #require(
            JobLoader.load(path: path, environment: LintFixtureTests.environment, unsetVariableSeverity: .error).spec)
    }

    @Test func defaultsAreCleverTapsLimits() throws {
        let limits = try Self.spec(LintFixtureTests.valid).destination.limits
        #expect(limits == AccountLimits(eventNames: 512, propertiesPerEvent: 256))
    }

    @Test func budgetsAreRead() throws {
        let limits = try Self.spec(Self.yaml("{ event_names: 480, properties_per_event: 100 }")).destination.limits
        #expect(limits.eventNames == 480 && limits.propertiesPerEvent == 100)
        #expect(LintFixtureTests.lint(Self.yaml("{ event_names: 480 }")) == [])
    }

    @Test func outOfRangeTypoAndWrongType() {
        #expect(
            LintFixtureTests.lint(Self.yaml("{ event_names: 600 }")) == [
                "7:26: error: limits.event_names 600 is out of range 1..512 (CleverTap keeps at most 512 event names per account, its system events included) [invalid-value]"
            ])
        #expect(
            LintFixtureTests.lint(Self.yaml("{ properties_per_event: 0 }")) == [
                "7:35: error: limits.properties_per_event 0 is out of range 1..256 (CleverTap keeps at most 256 property keys per event name; set your account's figure) [invalid-value]"
            ])
        #expect(
            LintFixtureTests.lint(Self.yaml("{ event_name: 400 }")) == [
                #"7:13: error: unknown key "event_name" in destination.limits; did you mean "event_names"? [unknown-key]"#
            ])
        #expect(
            LintFixtureTests.lint(Self.yaml("[480]")) == [
                "7:11: error: destination.limits must be a mapping, found a sequence [invalid-type]"
            ])
    }

    /// The cross-job event-name rule counts against the tightest budget of the account.
    @Test func lintCountsConstantNamesAgainstTheBudget() throws {
        let events = """
            version: 1
            name: ev
            destination:
              region: in1
              account_id: "1"
              passcode: ${CLEVERTAP_PASSCODE}
              limits: { event_names: 2 }
            source: { file: data.csv }
            object: events
            primary_key: email
            mappings:
              - { from: email, to: identity }
              - { value: A, to: evtName }
              - { value: 1700000000, to: ts }
            """
        let other = events.replacing("name: ev", with: "name: ev2").replacing("value: A", with: "value: B")
        let third = events.replacing("name: ev", with: "name: ev3").replacing("value: A", with: "value: C")
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email\n")
        let paths = [dir.write("a.yaml", events), dir.write("b.yaml", other), dir.write("c.yaml", third)]
        let result = Linter(environment: LintFixtureTests.environment).lint(files: paths)
        let found = result.diagnostics.filter { $0.rule == .tooManyEventNames }
        #expect(found.count == 1)
        #expect(found.first?.message.contains("more than 2 distinct event names (destination.limits.event_names)") == true)
    }
}
