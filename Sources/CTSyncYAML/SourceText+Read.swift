#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

// POSIX rather than Foundation: we need errno to say *why* a file cannot be
// read, and fstat to refuse an oversized file before reading a byte of it.
extension SourceText {
    /// Reads a file, refusing it before parsing if it is larger than `maxBytes`.
    ///
    /// - Throws: ``YAMLError`` of kind `.io` when the file is missing, not
    ///   readable or a directory, and of kind `.size` when it is too large;
    ///   both at line 1, column 1.
    public static func read(path: String, maxBytes: Int) throws(YAMLError) -> SourceText {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ioError(errno, path: path)
        }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ioError(errno, path: path)
        }
        let type = status.st_mode & S_IFMT
        guard type != S_IFDIR else {
            throw ioError(EISDIR, path: path)
        }
        let isRegular = type == S_IFREG
        if isRegular && Int(status.st_size) > maxBytes {
            throw YAMLError.tooLarge(size: Int(status.st_size), limit: maxBytes, file: path)
        }

        // A pipe or a file that grows while we read has no trustworthy size,
        // so the limit is enforced on what is actually read.
        let chunkSize = 64 * 1024
        var bytes: [UInt8] = []
        bytes.reserveCapacity(isRegular ? Int(status.st_size) : chunkSize)
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, into: $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError(errno, path: path)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxBytes {
                throw YAMLError.tooLarge(size: nil, limit: maxBytes, file: path)
            }
        }
        return SourceText(path: path, bytes: bytes)
    }

    private static func ioError(_ code: Int32, path: String) -> YAMLError {
        let message: String
        switch code {
        case ENOENT: message = "file not found"
        case EACCES: message = "permission denied"
        case EISDIR: message = "is a directory, not a file"
        default: message = "cannot read file (\(String(cString: strerror(code))))"
        }
        return YAMLError(kind: .io, message: message, mark: Mark(file: path, line: 1, column: 1))
    }
}

/// At file scope, because inside `SourceText` the name `read` means `SourceText.read(path:maxBytes:)`.
private func readBytes(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}
