import Hummingbird

/// What the upload endpoint wants done with a request's connection.
enum UploadReply: Sendable {
    /// Send this response.
    case respond(Response)
    /// Close the TCP connection without sending anything.
    case closeConnection
}
