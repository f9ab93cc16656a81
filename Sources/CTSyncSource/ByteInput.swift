/// Where an ``InputBuffer`` gets its bytes: a file or a command's stdout.
protocol ByteInput: AnyObject {
    /// Reads at most `buffer.count` bytes into `buffer`, blocking until at least one is
    /// available; returns 0 at the end of the input.
    ///
    /// A command's input throws at the end if the command failed, so an error is raised
    /// before the reader reports whatever partial record the output ended with.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int

    /// Releases the input (closes the file, kills and reaps the command). Idempotent.
    func close()
}
