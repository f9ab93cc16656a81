import Foundation

/// Path arithmetic for job-relative paths, without touching the file system.
package enum Paths {
    /// The folder part of `path` (`.` for a bare file name).
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `path` as is when absolute, else joined to `base`, with `.` and `..` folded.
    package static func resolve(_ path: String, relativeTo base: String) -> String {
        let joined = path.hasPrefix("/") ? path : (base == "." ? path : base + "/" + path)
        return normalize(joined)
    }

    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
            default: parts.append(part)
            }
        }
        let body = parts.joined(separator: "/")
        if absolute { return "/" + body }
        return body.isEmpty ? "." : body
    }

    package static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }
}
