/// An ONNX model as the exporter builds it: one graph of nodes over named values, its
/// parameters as initializers, its inputs and outputs typed with shapes (a symbolic batch).
/// `serialized()` writes the ONNX protobuf (Specs/onnx.proto) through protobuf-c;
/// `ONNXModel(serialized:)` reads one back.
public struct ONNXModel: Equatable, Sendable {
    public var irVersion: Int
    /// The version of the default operator set (ai.onnx).
    public var opset: Int
    public var producerName = "SwiftFluid"
    public var producerVersion = ""
    public var docString = ""
    public var graph: ONNXGraph

    public init(irVersion: Int, opset: Int, graph: ONNXGraph) {
        self.irVersion = irVersion
        self.opset = opset
        self.graph = graph
    }
}

public struct ONNXGraph: Equatable, Sendable {
    public var name: String
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []
    public var docString = ""

    public init(name: String) { self.name = name }
}

public struct ONNXNode: Equatable, Sendable {
    public var opType: String
    public var name: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [ONNXAttribute]
    public var docString: String

    public init(
        _ opType: String, name: String, inputs: [String], outputs: [String], attributes: [ONNXAttribute] = [],
        docString: String = ""
    ) {
        self.opType = opType
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.docString = docString
    }

    /// The attribute `name`, or nil.
    public func attribute(_ name: String) -> ONNXAttribute.Value? { attributes.first { $0.name == name }?.value }
}

public struct ONNXAttribute: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case float(Float)
        case int(Int)
        case string(String)
        case floats([Float])
        case ints([Int])
        case tensor(ONNXTensor)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// ONNX's element types (TensorProto.DataType) that SwiftFluid's dtypes map to.
public enum ONNXElementType: Int, Sendable {
    case float = 1
    case uint8 = 2
    case int8 = 3
    case int16 = 5
    case int32 = 6
    case int64 = 7
    case bool = 9
    case float16 = 10
    case double = 11

    public init(_ dtype: DataType) {
        switch dtype {
        case .float32: self = .float
        case .float64: self = .double
        case .int32: self = .int32
        case .int64: self = .int64
        case .int16: self = .int16
        case .int8: self = .int8
        case .uint8: self = .uint8
        case .bool: self = .bool
        case .float16: self = .float16
        }
    }
}

/// A constant tensor: its elements little-endian in `rawData`.
public struct ONNXTensor: Equatable, Sendable {
    public var name: String
    public var elementType: ONNXElementType
    public var dims: [Int]
    public var rawData: [UInt8]
    public var docString = ""

    public init(name: String, elementType: ONNXElementType, dims: [Int], rawData: [UInt8]) {
        self.name = name
        self.elementType = elementType
        self.dims = dims
        self.rawData = rawData
    }

    /// `values` as a tensor of `dims`.
    public init<T: TensorElement>(name: String, dims: [Int], values: [T]) {
        self.init(
            name: name, elementType: ONNXElementType(T.dataType), dims: dims,
            rawData: values.withUnsafeBytes { Array($0) })
    }

    /// The elements of `tensor`, as `dims` (its own shape when nil: a reshape only relabels them).
    public init(name: String, tensor: Tensor, dims: [Int]? = nil) {
        self.init(
            name: name, elementType: ONNXElementType(tensor.dtype), dims: dims ?? tensor.shape,
            rawData: [UInt8](UnsafeRawBufferPointer(start: tensor.rawPointer, count: tensor.byteCount)))
    }

    /// The elements read as `T` (the caller knows the element type).
    public func values<T: TensorElement>(as type: T.Type) -> [T] {
        rawData.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
    }
}

/// A graph input's or output's name, element type and shape.
public struct ONNXValueInfo: Equatable, Sendable {
    public enum Dimension: Equatable, Sendable {
        case value(Int)
        /// A symbolic size, such as the batch ("N").
        case parameter(String)
    }

    public var name: String
    public var elementType: ONNXElementType
    public var shape: [Dimension]

    public init(name: String, elementType: ONNXElementType, shape: [Dimension]) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }
}
