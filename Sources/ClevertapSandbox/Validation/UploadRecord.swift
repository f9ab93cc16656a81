/// One record of a request's `d` array that passed validation.
enum UploadRecord: Sendable {
    case profile(ProfileUpsert)
    case event(EventUpload)
}
