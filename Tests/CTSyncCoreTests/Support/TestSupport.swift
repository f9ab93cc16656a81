import Foundation
import Testing

/// A temporary directory, removed when the value is deinitialised.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/ctsync-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` to `name` (creating folders) and returns the full path.
    @discardableResult
    func write(_ name: String, _ contents: String) -> String {
        let full = path + "/" + name
        let directory = (full as NSString).deletingLastPathComponent
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try! contents.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    func read(_ name: String) -> String {
        (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? ""
    }
}

/// Where SwiftPM put the built products (`.build/debug`), found from the test bundle.
enum Products {
    static var directory: String {
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        // swift-testing runs inside the xctest bundle binary or the swiftpm-testing-helper;
        // walk up until a folder holds the ctsync binary.
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.path + "/ctsync") { return url.path }
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path + "/.build/debug"
        return fallback
    }

    static var ctsync: String { directory + "/ctsync" }
    static var sandbox: String { directory + "/clevertap-sandbox" }
    /// The repository root.
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }
}

/// The result of running a process to completion.
struct ProcessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs an executable with arguments, capturing its output.
func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for key in env.keys where key.hasPrefix("CLEVERTAP_") || key.hasPrefix("CTSYNC_") { env[key] = nil }
    // The machine's proxy and CA settings would change where the child connects.
    for key in ["SSL_CERT_FILE", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"] { env[key] = nil }
    env.merge(environment) { _, new in new }
    process.environment = env
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes concurrently so a chatty child cannot fill one and block.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs the built `ctsync` to completion, on a thread of its own (see ``runDetached(_:)``).
func ctsync(_ arguments: String..., environment: [String: String] = [:], directory: String? = nil) async throws
    -> ProcessResult
{
    try await runProcessDetached(Products.ctsync, arguments, environment: environment, directory: directory)
}

/// `runProcess` on a thread of its own, so a test waiting for a child never blocks
/// the cooperative pool (an in-process sandbox needs it to answer the child).
func runProcessDetached(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil
) async throws -> ProcessResult {
    try await runDetached { try runProcess(executable, arguments, environment: environment, directory: directory) }
}
