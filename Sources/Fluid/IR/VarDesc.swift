/// What kind of variable a `VarDesc` declares (Paddle's `VarType.Type` for non-tensor kinds).
public enum VarKind: Int32, Sendable, CaseIterable {
    case lodTensor = 7
    case selectedRows = 8
    case feedMinibatch = 9
    case fetchList = 10
    case stepScopes = 11
    case lodRankTable = 12
    case lodTensorArray = 13
    case placeList = 14
    case reader = 15
    case raw = 17
    case tuple = 18
    case string = 25
    case strings = 26
    case vocab = 27
    case feedList = 28

    /// Kinds whose VarType carries a TensorDesc (dtype and dims) that SwiftFluid reads.
    public var hasTensorDesc: Bool { self == .lodTensor || self == .selectedRows || self == .lodTensorArray }
}

/// A named variable declared in a block: kind, dtype, shape (-1 for an unknown size), flags.
public struct VarDesc: Equatable, Sendable {
    public var name: String
    public var kind: VarKind
    public var dtype: DataType
    public var shape: [Int]
    public var lodLevel: Int
    public var persistable: Bool
    public var stopGradient: Bool
    public var isParameter: Bool
    public var needCheckFeed: Bool
    /// What a file held for this variable beyond these fields (its VarDesc attributes, fields
    /// newer than SwiftFluid), written back when the program is saved.
    public var retained = RetainedFields()

    public init(
        name: String, kind: VarKind = .lodTensor, dtype: DataType = .float32, shape: [Int] = [],
        lodLevel: Int = 0, persistable: Bool = false, stopGradient: Bool = false,
        isParameter: Bool = false, needCheckFeed: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.dtype = dtype
        self.shape = shape
        self.lodLevel = lodLevel
        self.persistable = persistable
        self.stopGradient = stopGradient
        self.isParameter = isParameter
        self.needCheckFeed = needCheckFeed
    }
}
