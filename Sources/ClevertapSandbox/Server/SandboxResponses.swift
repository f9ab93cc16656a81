import Hummingbird

/// The sandbox's canned HTTP answers.
enum SandboxResponses {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON body with the given status.
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields: HTTPFields = [.contentType: jsonContentType]
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// CleverTap's request-level failure: `{"status":"fail","error":"...","code":N}`.
    static func failure(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("status")
        writer.write("fail")
        writer.raw(",")
        writer.key("error")
        writer.write(message)
        writer.raw(",")
        writer.key("code")
        writer.write(status.code)
        writer.raw("}")
        return json(writer.bytes, status: status, headers: headers)
    }

    /// What a load balancer in front of the API answers: HTML, not JSON.
    static func badGateway() -> Response {
        let html =
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"
        return Response(
            status: .badGateway,
            headers: [.contentType: "text/html"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html))
        )
    }

    static func notFound(_ message: String = "Not Found") -> Response {
        failure(.notFound, message)
    }

    static func methodNotAllowed(allowed: String) -> Response {
        failure(.methodNotAllowed, "Method Not Allowed", headers: [.allow: allowed])
    }

    /// `Retry-After: <seconds>` when configured.
    static func retryAfter(_ seconds: Int?) -> HTTPFields {
        guard let seconds else { return [:] }
        return [.retryAfter: String(seconds)]
    }
}
