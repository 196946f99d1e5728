/// An error of the tutorial program that is not one of the library's: a dataset that is not
/// there, a training run that diverged. The message is a sentence a user can act on.
public struct TutorialError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
