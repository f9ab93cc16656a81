import Hummingbird
import NIOCore

/// Routes every request by hand: the upload paths, the profile read paths,
/// `/sandbox/...`, or 404.
///
/// No Hummingbird `Router`: the upload path needs its own 405 answer, and the
/// dropped- and lost-response faults need the channel.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxRequestContext

    static let uploadPath = "/1/upload"
    static let profilePath = "/1/profile.json"

    let upload: UploadEndpoint
    let profile: ProfileEndpoint
    let inspection: InspectionEndpoint

    init(state: SandboxState) {
        upload = UploadEndpoint(state: state)
        profile = ProfileEndpoint(state: state)
        inspection = InspectionEndpoint(state: state)
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        let response: Response
        if let region = Self.region(of: path, endpoint: Self.uploadPath) {
            guard request.method == .post else {
                return log(SandboxResponses.methodNotAllowed(allowed: "POST"), request, context)
            }
            switch await upload.respond(to: request, region: region) {
            case .respond(let answer):
                response = answer
            case .closeConnection:
                context.logger.debug("\(request.method) \(path) -> connection closed without a response")
                // Closing before Hummingbird writes anything: the client sees the
                // connection end with no response. The write of the placeholder
                // below then fails quietly inside Hummingbird.
                try? await context.channel.close().get()
                return Response(status: .internalServerError)
            }
        } else if let region = Self.region(of: path, endpoint: Self.profilePath) {
            guard request.method == .get else {
                return log(SandboxResponses.methodNotAllowed(allowed: "GET"), request, context)
            }
            response = profile.respond(to: request, region: region)
        } else if path.hasPrefix("/sandbox/") {
            response = await inspection.respond(to: request, subpath: path.dropFirst("/sandbox/".count))
        } else {
            response = SandboxResponses.notFound()
        }
        return log(response, request, context)
    }

    private func log(_ response: Response, _ request: Request, _ context: Context) -> Response {
        context.logger.debug("\(request.method) \(request.uri.path) -> \(response.status.code)")
        return response
    }

    /// `.some(nil)` for `endpoint` itself (`/1/upload`), `.some(region)` for
    /// `/{region}` + `endpoint`, `nil` for any other path (an unknown region included).
    static func region(of path: String, endpoint: String) -> SandboxRegion?? {
        if path == endpoint { return .some(nil) }
        guard path.hasSuffix(endpoint), path.first == "/" else { return nil }
        let prefix = path.dropFirst().dropLast(endpoint.count)
        guard let region = SandboxRegion(rawValue: String(prefix)) else { return nil }
        return .some(region)
    }
}
