import CTSyncYAML
import CTSyncSupport

/// A job file read from disk: its text (for rendering findings), its spec when it
/// decoded, and every finding on the way.
public struct LoadedJob: Sendable {
    public var path: String
    public var source: CTSyncYAML.SourceText?
    public var spec: JobSpec?
    public var diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Reads and decodes job files.
public enum JobLoader {
    /// Largest job file accepted; job files are small, anything bigger is a mistake or an attack.
    public static let maxFileBytes = 1 << 20

    public static func load(path: String, environment: [String: String], unsetVariableSeverity: Severity) -> LoadedJob {
        let source: CTSyncYAML.SourceText
        do {
            source = try CTSyncYAML.SourceText.read(path: path, maxBytes: maxFileBytes)
        } catch {
            return LoadedJob(path: path, source: nil, spec: nil, diagnostics: [Diagnostic(error)])
        }
        let root: Node?
        do {
            root = try YAMLLoader.load(source)
        } catch {
            return LoadedJob(path: path, source: source, spec: nil, diagnostics: [Diagnostic(error)])
        }
        let decoder = SpecDecoder(environment: environment, unsetVariableSeverity: unsetVariableSeverity)
        let (spec, diagnostics) = decoder.decode(root, source: source)
        return LoadedJob(path: path, source: source, spec: spec, diagnostics: diagnostics)
    }

    /// Job files named by `paths`: files as given, directories expanded to their
    /// `*.yaml`/`*.yml` files (not recursive), sorted.
    public static func expand(_ paths: [String]) throws(JobPathError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: Bool = false
            guard FileSystem.exists(path, isDirectory: &isDirectory) else { throw .notFound(path) }
            if isDirectory {
                let entries = FileSystem.contents(of: path).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                let base = path.hasSuffix("/") ? String(path.dropLast()) : path
                files += entries.map { base + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }
}

/// A path on the command line that names no job.
public enum JobPathError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)

    public var description: String {
        switch self {
        case .notFound(let path): "no such file or directory: \(path)"
        }
    }
}
