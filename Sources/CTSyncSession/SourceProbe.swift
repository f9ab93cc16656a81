import CTSyncMapping
import CTSyncPlan
import CTSyncReport
import CTSyncSource
import CTSyncSpec
import CTSyncSupport

/// `ctsync check`'s source check: the source opens and has every column the job reads
/// (mapped columns and the primary key). Only the header is read (CSV, TSV) or the
/// first lines (JSONL); a command runs only when asked (`--source`) and is stopped
/// once its header is in.
enum SourceProbe {
    /// JSONL lines read to find the keys; a key absent from all of them is missing.
    static let jsonlLines = 100

    static func check(_ spec: JobSpec, runCommands: Bool) -> CheckResult {
        let target: String
        switch spec.source.input {
        case .file(let written, let resolved):
            target = written.value
            guard Paths.exists(resolved) else {
                return CheckResult(
                    .source, .failed, target: target, "source file \(resolved) does not exist",
                    fix: "write the export there, or fix source.file (relative to the job file)")
            }
        case .command:
            target = "source command"
            guard runCommands else {
                return CheckResult(
                    .source, .skipped, target: target, "not run: a source command may be expensive",
                    fix: "pass --source to run it, read its header and stop it")
            }
        }
        let wanted = RecordMapper(spec: spec).columns
        let distinct = Set(wanted).count
        let reader: any RowReader
        do {
            reader = try Planner.openSource(spec)
        } catch {
            return CheckResult(.source, .failed, target: target, "\(error)", fix: fix(for: error))
        }
        defer { reader.close() }
        do {
            if reader.columns != nil {
                try reader.project(wanted)
                return CheckResult(
                    .source, .ok, target: target, "the header has all \(distinct) columns the job reads")
            }
            let sample = try SourceSample.read(from: reader, maxRows: jsonlLines)
            if sample.rows.isEmpty {
                return CheckResult(
                    .source, .warning, target: target,
                    sample.invalid > 0
                        ? "none of the first \(sample.invalid) lines is a JSON object" : "the source is empty",
                    fix: "nothing to check the columns against; a run would send nothing")
            }
            let present = Set(sample.columns)
            let missing = wanted.reduce(into: [String]()) { list, column in
                if !present.contains(column) && !list.contains(column) { list.append(column) }
            }
            let lines = sample.isComplete ? "the source's lines" : "the first \(sample.rows.count + sample.invalid) lines"
            guard missing.isEmpty else {
                let names = missing.map { "\"\($0)\"" }.joined(separator: ", ")
                let noun = missing.count == 1 ? "column" : "columns"
                return CheckResult(
                    .source, .failed, target: target,
                    "missing \(noun) \(names): not a key in any of \(lines); keys there: \(listed(sample.columns))",
                    fix: "map keys the source has (names are case-sensitive), or add them to the export")
            }
            return CheckResult(
                .source, .ok, target: target, "all \(distinct) columns the job reads are keys in \(lines)")
        } catch {
            return CheckResult(.source, .failed, target: target, "\(error)", fix: fix(for: error))
        }
    }

    static func fix(for error: SourceError) -> String {
        switch error {
        case .missingColumns:
            "map columns the source has (names are case-sensitive), or add them to the export"
        case .cannotOpen, .readFailed:
            "check the path and the file's permissions"
        case .commandNotStarted, .commandFailed, .commandSignalled:
            "run the command by hand from the job file's folder to see what goes wrong"
        case .commandTimedOut:
            "the command printed no header within source.timeout: raise it, or make the query start streaming sooner"
        case .invalidOptions:
            "fix the source options in the job file"
        }
    }

    /// At most 50 names, as `SourceError` lists a header.
    static func listed(_ columns: [String]) -> String {
        let shown = columns.prefix(50).joined(separator: ", ")
        return columns.count > 50 ? shown + ", … (\(columns.count - 50) more)" : shown
    }
}
