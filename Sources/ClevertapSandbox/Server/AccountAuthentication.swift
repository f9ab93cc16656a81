import HTTPTypes
import Hummingbird

/// The credential check every CleverTap API path shares (`/1/upload`,
/// `/1/profile.json`): `X-CleverTap-Account-Id` must name a configured account of
/// the path's region, and `X-CleverTap-Passcode` must be its passcode.
enum AccountAuthentication {
    static let accountHeader = HTTPField.Name("X-CleverTap-Account-Id")!
    static let passcodeHeader = HTTPField.Name("X-CleverTap-Passcode")!

    /// Why a request was refused; each is CleverTap's HTTP 401 answer.
    enum Failure: Error, Equatable {
        /// A missing or unknown account ID, or an account of another region: a
        /// host of another region does not know the account.
        case invalidAccount
        /// A missing or wrong passcode.
        case invalidPasscode

        /// `{"status":"fail","error":"...","code":401}`.
        var response: Response {
            switch self {
            case .invalidAccount: SandboxResponses.failure(.unauthorized, "Account ID is not valid")
            case .invalidPasscode: SandboxResponses.failure(.unauthorized, "Invalid Passcode")
            }
        }
    }

    /// The account the request's headers prove, or why not.
    ///
    /// - Parameter region: The path prefix, `nil` for a path without one (any region).
    static func authenticate(
        _ request: Request,
        region: SandboxRegion?,
        in state: SandboxState
    ) -> Result<SandboxAccount, Failure> {
        guard let accountID = request.headers[accountHeader],
            let account = state.account(id: accountID),
            region == nil || region == account.region
        else { return .failure(.invalidAccount) }
        guard request.headers[passcodeHeader] == account.passcode else { return .failure(.invalidPasscode) }
        return .success(account)
    }
}
