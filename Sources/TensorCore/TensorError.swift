/// Errors thrown by TensorCore operations whose failure depends on data rather than on a
/// programming mistake.
///
/// Misuse that is always a bug (an out-of-range axis, a wrong element count) stops the program
/// with a precondition message instead. Shape checks that callers may want to probe first, such as
/// ``broadcastShape(_:_:)``, and numerical failures inside LAPACK are reported with this type.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two shapes cannot be broadcast together.
    case incompatibleShapes([Int], [Int])
    /// The input holds NaN or infinity, which the operation cannot process.
    case nonFiniteInput(operation: String)
    /// A LAPACK routine rejected argument number `argument` (LAPACK's `info < 0`).
    case illegalArgument(routine: String, argument: Int)
    /// A LAPACK routine did not converge (LAPACK's `info > 0`), after every fallback was tried.
    case didNotConverge(routine: String, info: Int)

    /// A one-line explanation naming the shapes, the operation or the LAPACK routine involved.
    public var description: String {
        switch self {
        case let .incompatibleShapes(a, b):
            return "shapes \(a) and \(b) cannot be broadcast together"
        case let .nonFiniteInput(operation):
            return "\(operation): input contains NaN or infinity"
        case let .illegalArgument(routine, argument):
            return "\(routine): argument \(argument) had an illegal value"
        case let .didNotConverge(routine, info):
            return "\(routine): did not converge (info = \(info))"
        }
    }
}
