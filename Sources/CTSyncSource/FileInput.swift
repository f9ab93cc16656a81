#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file read with plain read(2).
final class FileInput: ByteInput {
    private let path: String
    private var descriptor: Int32

    /// Opens `path` for reading.
    init(path: String) throws(SourceError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: SourceSyscalls.errorText(errno)) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            SourceSyscalls.closeDescriptor(fd)
            throw .cannotOpen(path: path, reason: "it is a directory")
        }
        descriptor = fd
        #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard descriptor >= 0, buffer.count > 0 else { return 0 }
        guard let count = SourceSyscalls.readDescriptor(descriptor, into: buffer.baseAddress!, count: buffer.count)
        else { throw .readFailed(path: path, reason: SourceSyscalls.errorText(errno)) }
        return count
    }

    func close() {
        guard descriptor >= 0 else { return }
        SourceSyscalls.closeDescriptor(descriptor)
        descriptor = -1
    }
}
