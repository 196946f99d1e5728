/// Errors SwiftFluid reports. Each names what is at fault (op, slot, variable, file, field)
/// and reads as a sentence a user can act on.
public enum FluidError: Error, Equatable, CustomStringConvertible {
    /// An op's inputs or outputs do not fit together (shapes, ranks, sizes).
    case shapeMismatch(op: String, slot: String, message: String)
    /// An op's input or output holds an element type its kernels do not read or write.
    case dtypeMismatch(op: String, slot: String, message: String)
    /// An attribute is missing or has the wrong kind or value.
    case attribute(op: String, name: String, message: String)
    /// An op type that no definition is registered for.
    case unknownOp(String)
    /// A variable an op or fetch needs is not in the program or scope.
    case missingVariable(name: String, context: String)
    /// A fed tensor does not match the program's data variable.
    case badFeed(name: String, message: String)
    /// A NaN or Inf first produced by this op, found by `checkNaNInf`.
    case nanOrInf(op: String, variable: String, index: Int)
    /// A kernel refused its inputs at run time.
    case kernel(op: String, message: String)
    /// A program-level problem (building, backward, passes).
    case program(String)
    /// A file could not be read or written, or its content is invalid.
    case file(path: String, message: String)
    /// A tensor's shape, scalars, LoD or element type do not fit what was asked.
    case invalidTensor(String)
    /// An op's output would hold more than `Tensor.maximumElementCount` elements.
    case tensorTooLarge(op: String, slot: String, variable: String, shape: [Int])
    /// An argument of a public API is out of range.
    case invalidArgument(name: String, message: String)
    /// An op fills a slot or sets an attribute that changes its meaning in a way SwiftFluid
    /// does not implement.
    case unsupported(op: String, name: String, message: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let op, let slot, let message), .dtypeMismatch(let op, let slot, let message):
            "Op '\(op)', slot '\(slot)': \(message)."
        case .attribute(let op, let name, let message):
            "Op '\(op)': attribute '\(name)' \(message)."
        case .unknownOp(let type):
            "Op type '\(type)' is not supported by SwiftFluid (run `fluid ops` to list the supported ops)."
        case .missingVariable(let name, let context):
            "Variable '\(name)' is missing: \(context)."
        case .badFeed(let name, let message):
            "Feed '\(name)': \(message)."
        case .nanOrInf(let op, let variable, let index):
            "Op '\(op)' produced NaN or Inf in output '\(variable)' (first at element \(index))."
        case .kernel(let op, let message):
            "Op '\(op)': \(message)."
        case .program(let message):
            message
        case .file(let path, let message):
            "File '\(path)': \(message)."
        case .invalidTensor(let message):
            "Invalid tensor: \(message)."
        case .tensorTooLarge(let op, let slot, let variable, let shape):
            "Op '\(op)', output '\(slot)' ('\(variable)'): shape \(shape) holds more than Tensor.maximumElementCount (\(Tensor.maximumElementCount)) elements; it was not allocated."
        case .invalidArgument(let name, let message):
            "Argument '\(name)': \(message)."
        case .unsupported(let op, let name, let message):
            "Op '\(op)': '\(name)' \(message)."
        }
    }
}
