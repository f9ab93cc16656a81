import Foundation

/// The few file-system queries the core needs, in one place.
package enum FileSystem {
    package static func exists(_ path: String, isDirectory: inout Bool) -> Bool {
        var flag: ObjCBool = false
        let found = FileManager.default.fileExists(atPath: path, isDirectory: &flag)
        isDirectory = flag.boolValue
        return found
    }

    package static func contents(of directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }
}
