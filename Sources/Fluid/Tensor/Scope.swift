/// Named tensors a program runs against. Scopes nest: a lookup that misses here asks the parent.
/// The executor keeps parameters and other persistables in the scope it is given and the
/// program's temporaries in a child scope that lives as long as that scope.
///
/// ```swift
/// let scope = Scope()
/// try exe.run(startup, scope: scope)
/// let w = scope["fc_0.w_0"]          // Tensor?
/// ```
public final class Scope {
    public let parent: Scope?
    private var tensors: [String: Tensor] = [:]
    private var workScope: Scope?

    public init(parent: Scope? = nil) {
        self.parent = parent
    }

    /// The tensor named `name` here or in an ancestor.
    public subscript(name: String) -> Tensor? {
        tensors[name] ?? parent?[name]
    }

    /// Whether this scope itself (not an ancestor) holds `name`.
    public func holds(_ name: String) -> Bool { tensors[name] != nil }

    /// The tensor named `name` here or in an ancestor, created empty in this scope when absent.
    public func tensor(_ name: String) -> Tensor {
        if let t = self[name] { return t }
        let t = Tensor()
        tensors[name] = t
        return t
    }

    /// Stores a copy of `value` under `name`. An existing tensor keeps its identity (plans bound
    /// to it stay valid) and takes the new shape and contents.
    public func set(_ name: String, _ value: Tensor) {
        tensor(name).copy(from: value)
    }

    /// Removes `name` from this scope.
    public func remove(_ name: String) { tensors[name] = nil }

    /// Names held by this scope itself, sorted.
    public var localNames: [String] { tensors.keys.sorted() }

    /// A new child scope.
    public func makeChild() -> Scope { Scope(parent: self) }

    /// The child scope where the executor keeps temporaries across runs.
    var temporaries: Scope {
        if let w = workScope { return w }
        let w = Scope(parent: self)
        workScope = w
        return w
    }
}
