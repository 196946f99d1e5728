/// Running a program by the `Variable`s a `ProgramBuilder` returned, rather than by name.
extension Executor {
    /// Runs block `block` of `program` once, as `run(_:block:scope:feed:fetch:)` with names does,
    /// and returns copies of the fetched variables, looked up by variable.
    ///
    /// ```swift
    /// let out = try exe.run(main, scope: scope, feed: try feeder.feed(batch), fetch: [loss, accuracy])
    /// print(try out.scalar(loss), try out.scalar(accuracy))
    /// ```
    @discardableResult
    public func run(
        _ program: Program, block: Int = 0, scope: Scope, feed: [String: Tensor] = [:], fetch: [Variable]
    ) throws -> FetchedValues {
        let tensors = try run(program, block: block, scope: scope, feed: feed, fetch: fetch.map(\.name))
        return FetchedValues(variables: fetch, tensors: tensors)
    }
}

/// What one run fetched: a tensor per fetched variable.
public struct FetchedValues {
    /// The fetched variables, in the order asked.
    public let variables: [Variable]
    /// Their values, in the same order.
    public let tensors: [Tensor]

    /// The value of `variable`; throws `FluidError.missingVariable` when it was not fetched.
    public func tensor(_ variable: Variable) throws -> Tensor {
        guard let i = variables.firstIndex(where: { $0.name == variable.name }) else {
            throw FluidError.missingVariable(
                name: variable.name,
                context: "it was not among the fetched variables (\(variables.map(\.name).joined(separator: ", ")))")
        }
        return tensors[i]
    }

    /// The one element of `variable` as `T` (`Float` by default); throws when it was not
    /// fetched, holds another dtype, or holds more or fewer than one element.
    public func scalar<T: TensorElement>(_ variable: Variable, as type: T.Type = Float.self) throws -> T {
        try tensor(variable).scalar(as: type)
    }
}
