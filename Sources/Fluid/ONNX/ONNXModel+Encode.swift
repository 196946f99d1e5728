import CONNXProto
import CProtobufC
import Foundation

extension ONNXModel {
    /// The ONNX protobuf bytes of this model (a `.onnx` file), written by protoc-c's code.
    public func serialized() -> Data {
        let arena = ProtoArena()
        let m: UnsafeMutablePointer<Onnx__ModelProto> = arena.message(onnx__model_proto__init)
        m.pointee.has_ir_version = 1
        m.pointee.ir_version = Int64(irVersion)
        let opsetID: UnsafeMutablePointer<Onnx__OperatorSetIdProto> = arena.message(onnx__operator_set_id_proto__init)
        opsetID.pointee.domain = arena.string("")
        opsetID.pointee.has_version = 1
        opsetID.pointee.version = Int64(opset)
        m.pointee.n_opset_import = 1
        m.pointee.opset_import = arena.array([Optional(opsetID)])
        m.pointee.producer_name = arena.string(producerName)
        m.pointee.producer_version = arena.string(producerVersion)
        if !docString.isEmpty { m.pointee.doc_string = arena.string(docString) }
        m.pointee.graph = Self.graph(graph, arena)
        return Data(packed(m))
    }

    private static func graph(_ g: ONNXGraph, _ arena: ProtoArena) -> UnsafeMutablePointer<Onnx__GraphProto> {
        let p: UnsafeMutablePointer<Onnx__GraphProto> = arena.message(onnx__graph_proto__init)
        p.pointee.name = arena.string(g.name)
        if !g.docString.isEmpty { p.pointee.doc_string = arena.string(g.docString) }
        let nodes = g.nodes.map { Optional(node($0, arena)) }
        p.pointee.n_node = nodes.count
        p.pointee.node = arena.array(nodes)
        let initializers = g.initializers.map { Optional(tensor($0, arena)) }
        p.pointee.n_initializer = initializers.count
        p.pointee.initializer = arena.array(initializers)
        let inputs = g.inputs.map { Optional(valueInfo($0, arena)) }
        p.pointee.n_input = inputs.count
        p.pointee.input = arena.array(inputs)
        let outputs = g.outputs.map { Optional(valueInfo($0, arena)) }
        p.pointee.n_output = outputs.count
        p.pointee.output = arena.array(outputs)
        return p
    }

    private static func node(_ n: ONNXNode, _ arena: ProtoArena) -> UnsafeMutablePointer<Onnx__NodeProto> {
        let p: UnsafeMutablePointer<Onnx__NodeProto> = arena.message(onnx__node_proto__init)
        p.pointee.op_type = arena.string(n.opType)
        p.pointee.name = arena.string(n.name)
        p.pointee.n_input = n.inputs.count
        p.pointee.input = arena.strings(n.inputs)
        p.pointee.n_output = n.outputs.count
        p.pointee.output = arena.strings(n.outputs)
        let attributes = n.attributes.map { Optional(attribute($0, arena)) }
        p.pointee.n_attribute = attributes.count
        p.pointee.attribute = arena.array(attributes)
        if !n.docString.isEmpty { p.pointee.doc_string = arena.string(n.docString) }
        return p
    }

    private static func attribute(_ a: ONNXAttribute, _ arena: ProtoArena) -> UnsafeMutablePointer<
        Onnx__AttributeProto
    > {
        let p: UnsafeMutablePointer<Onnx__AttributeProto> = arena.message(onnx__attribute_proto__init)
        p.pointee.name = arena.string(a.name)
        p.pointee.has_type = 1
        switch a.value {
        case .float(let v):
            p.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
            p.pointee.has_f = 1
            p.pointee.f = v
        case .int(let v):
            p.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
            p.pointee.has_i = 1
            p.pointee.i = Int64(v)
        case .string(let v):
            p.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
            p.pointee.has_s = 1
            p.pointee.s = bytes(Array(v.utf8), arena)
        case .floats(let v):
            p.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS
            p.pointee.n_floats = v.count
            p.pointee.floats = arena.array(v)
        case .ints(let v):
            p.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
            p.pointee.n_ints = v.count
            p.pointee.ints = arena.array(v.map(Int64.init))
        case .tensor(let t):
            p.pointee.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR
            p.pointee.t = tensor(t, arena)
        }
        return p
    }

    private static func tensor(_ t: ONNXTensor, _ arena: ProtoArena) -> UnsafeMutablePointer<Onnx__TensorProto> {
        let p: UnsafeMutablePointer<Onnx__TensorProto> = arena.message(onnx__tensor_proto__init)
        p.pointee.name = arena.string(t.name)
        p.pointee.n_dims = t.dims.count
        p.pointee.dims = arena.array(t.dims.map(Int64.init))
        p.pointee.has_data_type = 1
        p.pointee.data_type = Int32(t.elementType.rawValue)
        p.pointee.has_raw_data = 1
        p.pointee.raw_data = bytes(t.rawData, arena)
        if !t.docString.isEmpty { p.pointee.doc_string = arena.string(t.docString) }
        return p
    }

    private static func valueInfo(_ v: ONNXValueInfo, _ arena: ProtoArena) -> UnsafeMutablePointer<
        Onnx__ValueInfoProto
    > {
        let dims = v.shape.map { d -> UnsafeMutablePointer<Onnx__TensorShapeProto__Dimension>? in
            let p: UnsafeMutablePointer<Onnx__TensorShapeProto__Dimension> = arena.message(
                onnx__tensor_shape_proto__dimension__init)
            switch d {
            case .value(let n):
                p.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                p.pointee.dim_value = Int64(n)
            case .parameter(let name):
                p.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                p.pointee.dim_param = arena.string(name)
            }
            return p
        }
        let shape: UnsafeMutablePointer<Onnx__TensorShapeProto> = arena.message(onnx__tensor_shape_proto__init)
        shape.pointee.n_dim = dims.count
        shape.pointee.dim = arena.array(dims)
        let tensorType: UnsafeMutablePointer<Onnx__TypeProto__Tensor> = arena.message(onnx__type_proto__tensor__init)
        tensorType.pointee.has_elem_type = 1
        tensorType.pointee.elem_type = Int32(v.elementType.rawValue)
        tensorType.pointee.shape = shape
        let type: UnsafeMutablePointer<Onnx__TypeProto> = arena.message(onnx__type_proto__init)
        type.pointee.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
        type.pointee.tensor_type = tensorType
        let p: UnsafeMutablePointer<Onnx__ValueInfoProto> = arena.message(onnx__value_info_proto__init)
        p.pointee.name = arena.string(v.name)
        p.pointee.type = type
        return p
    }

    private static func bytes(_ data: [UInt8], _ arena: ProtoArena) -> ProtobufCBinaryData {
        ProtobufCBinaryData(len: data.count, data: arena.array(data))
    }
}
