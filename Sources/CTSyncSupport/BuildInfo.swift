internal import CTSyncBuildInfo

/// What this binary was built from: `ctsync --version`, run reports and the HTTP
/// User-Agent carry it. scripts/package and scripts/install write it from `git describe`
/// (Sources/CTSyncBuildInfo/BuildInfo.c); a plain `swift build` reports the development
/// version and commit "unknown".
package enum BuildInfo {
    /// The release: the `v*` tag (`0.2.0`, or `0.2.0-3-gabc1234` three commits later), else the development version.
    package static let version = String(cString: ctsync_build_version())
    /// The commit, `git describe --always --dirty` (`38d956f0a1b2`, `-dirty` with uncommitted changes);
    /// "unknown" when built outside git.
    package static let commit = String(cString: ctsync_build_commit())

    /// `0.2.0-dev (38d956f0a1b2)`: what `--version` prints and reports record.
    package static var description: String { "\(version) (\(commit))" }

    /// `ctsync/0.2.0-dev (38d956f0a1b2)`.
    package static var userAgent: String { "ctsync/\(description)" }
}
