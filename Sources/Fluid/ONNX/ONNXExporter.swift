import Foundation

/// Writes an inference program as an ONNX model (the `.onnx` bytes): each Paddle op becomes
/// one or a few ONNX nodes (Specs/onnx-export.md has the table), the parameters the nodes read
/// become initializers, and the feeds and fetches the graph's typed inputs and outputs with a
/// symbolic batch ("N"). Nodes are named `TYPE_INDEX` after the Paddle op (index in block 0)
/// and carry the op in their doc string. An op without a mapping is an error naming it and
/// the ops that export.
///
/// ```swift
/// let model = try loadInferenceModel(from: "mnist_cnn")
/// let onnx = try exportONNX(program: model.program, scope: model.scope, feeds: model.feedNames,
///                           fetches: model.fetchNames)
/// try saveONNX(program: model.program, scope: model.scope, feeds: model.feedNames,
///              fetches: model.fetchNames, to: "mnist_cnn.onnx")     // the same, written atomically
/// ```
public func exportONNX(
    program: Program, scope: Scope, feeds: [String], fetches: [String], opset: Int = ONNXExporter.defaultOpset
) throws -> Data {
    try ONNXExporter(opset: opset).model(program: program, scope: scope, feeds: feeds, fetches: fetches)
        .serialized()
}

/// Exports as `exportONNX` does and writes the model to `path` atomically (a temporary file in
/// the same directory, then a rename); returns the model written.
@discardableResult
public func saveONNX(
    program: Program, scope: Scope, feeds: [String], fetches: [String], to path: String,
    opset: Int = ONNXExporter.defaultOpset
) throws -> ONNXModel {
    let model = try ONNXExporter(opset: opset).model(program: program, scope: scope, feeds: feeds, fetches: fetches)
    var writer = AtomicFileWriter()
    try writer.write(model.serialized(), to: path)
    return model
}

public struct ONNXExporter: Sendable {
    public static let defaultOpset = 13
    /// The opsets whose operator versions the mappings are written for (ONNX Runtime 1.32 runs all).
    public static let supportedOpsets = 13...18
    public let opset: Int

    public init(opset: Int = defaultOpset) throws {
        guard Self.supportedOpsets.contains(opset) else {
            throw FluidError.invalidArgument(
                name: "opset",
                message:
                    "is \(opset); ONNX export writes opsets \(Self.supportedOpsets.lowerBound) to \(Self.supportedOpsets.upperBound)"
            )
        }
        self.opset = opset
    }

    /// The IR version that pairs with the opset (ONNX 1.8-1.9: IR 7; 1.10-1.13: IR 8).
    public var irVersion: Int { opset <= 14 ? 7 : 8 }

    /// The model of block 0 of `program`, its parameters read from `scope`.
    public func model(program: Program, scope: Scope, feeds: [String], fetches: [String]) throws -> ONNXModel {
        var builder = ONNXGraphBuilder(program: program, scope: scope)
        let block = program.globalBlock
        for name in feeds {
            guard let v = block.findVar(name) else {
                throw FluidError.program("ONNX export: the feed '\(name)' is not a variable of the program")
            }
            builder.metas[name] = TensorMeta(v.dtype, v.shape)
            builder.define(name)
            builder.graph.inputs.append(try Self.valueInfo(name, TensorMeta(v.dtype, v.shape)))
        }
        for (index, op) in block.ops.enumerated() where op.type != "feed" && op.type != "fetch" {
            guard let mapper = ONNXOpMappers.table[op.type] else {
                throw FluidError.program(
                    "ONNX export: op \(index) '\(op.type)' has no ONNX mapping; the ops that export are \(ONNXOpMappers.table.keys.sorted().joined(separator: ", "))"
                )
            }
            try builder.begin(op, index: index)
            try mapper(&builder, builder.op)
        }
        for name in fetches {
            guard let meta = builder.metas[name] else {
                throw FluidError.program("ONNX export: the fetch '\(name)' is computed by no op of the program")
            }
            builder.graph.outputs.append(try Self.valueInfo(builder.value(name), meta))
        }
        var model = ONNXModel(irVersion: irVersion, opset: opset, graph: builder.graph)
        model.docString = "Exported by SwiftFluid from a PaddlePaddle inference program"
        return model
    }

    /// A typed value with -1 sizes symbolic: "N" for the first, "d1", "d2", ... for others.
    static func valueInfo(_ name: String, _ meta: TensorMeta) throws -> ONNXValueInfo {
        ONNXValueInfo(
            name: name, elementType: ONNXElementType(meta.dtype),
            shape: meta.shape.enumerated().map { i, d in d >= 0 ? .value(d) : .parameter(i == 0 ? "N" : "d\(i)") })
    }
}
