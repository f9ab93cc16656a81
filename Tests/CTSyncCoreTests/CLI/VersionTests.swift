import Foundation
import Testing

@testable import CTSyncSupport

/// What a binary says it was built from: `--version`, the run report and the User-Agent
/// all carry `BuildInfo` (stamped by scripts/package; "unknown" in a plain build).
@Suite("version", .serialized)
struct VersionTests {
    @Test func versionFlagPrintsVersionAndCommit() async throws {
        let result = try await ctsync("--version")
        #expect(result.status == 0)
        #expect(result.stdout == BuildInfo.description + "\n")
        #expect(BuildInfo.description == "\(BuildInfo.version) (\(BuildInfo.commit))")
        #expect(!BuildInfo.version.isEmpty && !BuildInfo.commit.isEmpty)
    }

    @Test func userAgentNamesTheBuild() {
        #expect(BuildInfo.userAgent == "ctsync/\(BuildInfo.version) (\(BuildInfo.commit))")
    }

    @Test func runReportCarriesTheVersion() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            let (result, report) = try await fixture.run(fixture.profilesJob())
            #expect(result.status == 0, "\(result.stderr)")
            #expect(report.ctsyncVersion == BuildInfo.description)
        }
    }
}
