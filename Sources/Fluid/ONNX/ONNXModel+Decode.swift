import CONNXProto
import CProtobufC
import Foundation

extension ONNXModel {
    /// Reads an ONNX model (the fields Specs/onnx.proto holds) through protoc-c's code; throws
    /// `FluidError.file` naming `source` when the bytes do not parse or lack a graph.
    public init(serialized data: Data, source: String = "ONNX model") throws {
        let bytes = [UInt8](data)
        guard let m = bytes.withUnsafeBufferPointer({ onnx__model_proto__unpack(nil, $0.count, $0.baseAddress) })
        else { throw FluidError.file(path: source, message: "is not an ONNX model: its protobuf does not parse") }
        defer { onnx__model_proto__free_unpacked(m, nil) }
        guard let g = m.pointee.graph else { throw FluidError.file(path: source, message: "holds no graph") }
        let opsets = buffer(m.pointee.n_opset_import, m.pointee.opset_import).compactMap { $0?.pointee }
        let opset = opsets.first { Self.text($0.domain).isEmpty }.map { Int($0.version) } ?? 0
        self.init(irVersion: Int(m.pointee.ir_version), opset: opset, graph: Self.graph(g.pointee))
        producerName = Self.text(m.pointee.producer_name)
        producerVersion = Self.text(m.pointee.producer_version)
        docString = Self.text(m.pointee.doc_string)
    }

    private static func text(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }

    private static func texts(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
        buffer(n, p).map(text)
    }

    private static func data(_ b: ProtobufCBinaryData) -> [UInt8] { buffer(b.len, b.data) }

    private static func graph(_ g: Onnx__GraphProto) -> ONNXGraph {
        var out = ONNXGraph(name: text(g.name))
        out.docString = text(g.doc_string)
        out.nodes = buffer(g.n_node, g.node).compactMap { $0.map { node($0.pointee) } }
        out.initializers = buffer(g.n_initializer, g.initializer).compactMap { $0.map { tensor($0.pointee) } }
        out.inputs = buffer(g.n_input, g.input).compactMap { $0.map { valueInfo($0.pointee) } }
        out.outputs = buffer(g.n_output, g.output).compactMap { $0.map { valueInfo($0.pointee) } }
        return out
    }

    private static func node(_ n: Onnx__NodeProto) -> ONNXNode {
        ONNXNode(
            text(n.op_type), name: text(n.name), inputs: texts(n.n_input, n.input),
            outputs: texts(n.n_output, n.output),
            attributes: buffer(n.n_attribute, n.attribute).compactMap { $0.flatMap { attribute($0.pointee) } },
            docString: text(n.doc_string))
    }

    /// The attribute, or nil for a type the exporter never writes.
    private static func attribute(_ a: Onnx__AttributeProto) -> ONNXAttribute? {
        let value: ONNXAttribute.Value
        switch a.type {
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: value = .float(a.f)
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: value = .int(Int(a.i))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: value = .string(String(decoding: data(a.s), as: UTF8.self))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: value = .floats(buffer(a.n_floats, a.floats))
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: value = .ints(buffer(a.n_ints, a.ints).map { Int($0) })
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
            guard let t = a.t else { return nil }
            value = .tensor(tensor(t.pointee))
        default: return nil
        }
        return ONNXAttribute(text(a.name), value)
    }

    private static func tensor(_ t: Onnx__TensorProto) -> ONNXTensor {
        var out = ONNXTensor(
            name: text(t.name), elementType: ONNXElementType(rawValue: Int(t.data_type)) ?? .float,
            dims: buffer(t.n_dims, t.dims).map { Int($0) }, rawData: data(t.raw_data))
        out.docString = text(t.doc_string)
        return out
    }

    private static func valueInfo(_ v: Onnx__ValueInfoProto) -> ONNXValueInfo {
        var elementType = ONNXElementType.float
        var shape: [ONNXValueInfo.Dimension] = []
        if let type = v.type, type.pointee.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE,
            let tensorType = type.pointee.tensor_type
        {
            elementType = ONNXElementType(rawValue: Int(tensorType.pointee.elem_type)) ?? .float
            if let s = tensorType.pointee.shape {
                shape = buffer(s.pointee.n_dim, s.pointee.dim).compactMap { d in
                    guard let d = d?.pointee else { return nil }
                    return d.value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                        ? .parameter(text(d.dim_param)) : .value(Int(d.dim_value))
                }
            }
        }
        return ONNXValueInfo(name: text(v.name), elementType: elementType, shape: shape)
    }
}
