import CTSyncPlan
import CTSyncReport
import CTSyncSupport
import Foundation

/// Where a run report is written and how: `reports/<job>-<UTC time>.json` by default,
/// or `--report` as a file (one job) or a directory.
enum ReportFile {
    static func path(for report: RunReport, option: String?, jobCount: Int) -> String {
        let name = "\(report.jobName)-\(fileStamp(report.startedAt)).json"
        guard let option else { return "reports/" + name }
        if jobCount > 1 || isDirectory(option) {
            return (option.hasSuffix("/") ? String(option.dropLast()) : option) + "/" + name
        }
        return option
    }

    /// Whether `--report` names a directory: it ends in `/` or is an existing folder.
    static func isDirectory(_ option: String) -> Bool {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: option, isDirectory: &isDirectory)
        return option.hasSuffix("/") || (exists && isDirectory.boolValue)
    }

    /// Writes atomically, 0600, creating missing folders 0700: a report names jobs and
    /// accounts, and with `--report-pii` holds primary keys.
    static func write(_ text: String, to path: String) throws(OutputError) {
        try PrivateFile.write(Array(text.utf8), to: path)
    }

    static func fileStamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter.string(from: date)
    }
}

extension RejectsFile {
    /// Opens `--rejects PATH` for the invocation (nil without the option): one file for
    /// every job, created 0600 with missing folders 0700. A folder is a usage error.
    public static func open(_ path: String?, revealPII: Bool) throws(SessionError) -> RejectsFile? {
        guard let path else { return nil }
        if ReportFile.isDirectory(path) {
            throw .usage(
                "--rejects \(path) names a folder; name a file, such as \(path.hasSuffix("/") ? path : path + "/")rejects.jsonl (every job writes its lines to it; the job field tells them apart)")
        }
        do {
            return try RejectsFile(path: path, revealPII: revealPII)
        } catch {
            throw .usage("cannot write the rejects file: \(error)")
        }
    }
}
