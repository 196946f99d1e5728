import Foundation
import Testing

@testable import Fluid

/// The registry's invariants: one definition per type, every family listed, every gradient
/// rule emitting registered ops through their schemas' slots, and unimplemented meanings refused.
@Suite struct OpRegistryTests {
    static let opsSources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Fluid/Ops").path

    @Test func aTypeDefinedTwiceIsAnError() throws {
        let relu = try OpRegistry.definition("relu")
        #expect(throws: FluidError.program("Op type 'relu' is registered twice: each op type has one definition.")) {
            try OpRegistry.makeTable([[relu], [try OpRegistry.definition("fc"), relu]])
        }
        let registered = try OpRegistry.makeTable(OpRegistry.families)
        #expect(registered.count == OpRegistry.families.joined().count)
    }

    /// Every op family under Sources/Fluid/Ops (an enum with `static let definitions`) is in the list.
    @Test func everyFamilyIsInTheRegistry() throws {
        let registry = try String(contentsOfFile: Self.opsSources + "/OpRegistry.swift", encoding: .utf8)
        var families: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.opsSources) where file.hasSuffix(".swift")
        {
            let text = try String(contentsOfFile: Self.opsSources + "/" + file, encoding: .utf8)
            guard text.contains("static let definitions") else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("enum ") {
                families.append(String(line.dropFirst(5).prefix { $0.isLetter || $0.isNumber }))
            }
        }
        #expect(families.count >= 20, "found the families: \(families)")
        for family in families {
            #expect(registry.contains("\(family).definitions"), "\(family) is not listed in OpRegistry.families")
        }
    }

    /// A forward op with every slot of its schema filled: `SLOT.0` (and `SLOT.1` for lists) in,
    /// `out.SLOT.0` out, attributes at their defaults.
    static func filledOp(_ schema: OpSchema) -> OpDesc {
        func names(_ prefix: String, _ slot: SlotSpec) -> [String] {
            (slot.duplicable ? [0, 1] : [0]).map { "\(prefix)\(slot.name).\($0)" }
        }
        let supported = { (slot: SlotSpec) in slot.unsupportedReason == nil }
        let op = OpDesc(
            type: schema.type,
            inputs: Dictionary(uniqueKeysWithValues: schema.inputs.filter(supported).map { ($0.name, names("", $0)) }),
            outputs: Dictionary(
                uniqueKeysWithValues: schema.outputs.filter(supported).map { ($0.name, names("out.", $0)) }))
        return schema.fillingDefaults(op)
    }

    /// Each gradient rule's ops are registered, use only their schemas' slots, fill every
    /// required slot, and read only the forward op's variables and their gradients.
    @Test func everyGradientRuleEmitsRegisteredOpsThroughTheirSchemas() throws {
        var rules = 0
        for definition in OpRegistry.all {
            guard let rule = definition.gradient else { continue }
            rules += 1
            let forward = Self.filledOp(definition.schema)
            let forwardNames = Set(forward.inputNames + forward.outputNames)
            let known = forwardNames.union(forwardNames.map(gradName))
            let emitted = rule(GradientContext(op: forward, needsGradient: { _ in true }))
            #expect(!emitted.isEmpty, "\(definition.type)'s gradient rule emits no op")
            for g in emitted {
                guard let schema = try? OpRegistry.definition(g.type).schema else {
                    Issue.record("\(definition.type)'s gradient emits '\(g.type)', which is not registered")
                    continue
                }
                for (used, declared, what) in [
                    (g.inputs, schema.inputs, "input"), (g.outputs, schema.outputs, "output"),
                ] {
                    let usedSlots = Set(used.filter { !$0.names.isEmpty }.map(\.slot))
                    for slot in usedSlots where !declared.contains(where: { $0.name == slot }) {
                        Issue.record("\(definition.type) -> \(g.type): \(what) slot '\(slot)' is not in its schema")
                    }
                    for slot in declared where !slot.dispensable && !usedSlots.contains(slot.name) {
                        Issue.record("\(definition.type) -> \(g.type): required \(what) slot '\(slot.name)' is empty")
                    }
                }
                for name in g.inputNames where isRealName(name) && !known.contains(name) {
                    Issue.record(
                        "\(definition.type) -> \(g.type) reads '\(name)', not a forward variable or its gradient")
                }
            }
        }
        #expect(rules >= 25, "\(rules) gradient rules checked")
    }

    /// Attributes and slots whose meaning SwiftFluid does not implement are refused by name when
    /// a plan is compiled, instead of being ignored.
    @Test(arguments: [
        ("batch_norm", "fuse_with_relu"), ("adam", "use_global_beta_pow"), ("adam", "amsgrad"),
    ])
    func unimplementedAttributesAreRefused(_ type: String, _ attribute: String) throws {
        var op = Self.filledOp(try OpRegistry.definition(type).schema)
        op.attributes[attribute] = .bool(true)
        let error = #expect(throws: FluidError.self) { try OpRegistry.definition(type).schema.bind(op) }
        #expect(error?.description.contains("'\(attribute)' is true") == true, "\(String(describing: error))")
        let program = Program()
        program.globalBlock.appendOp(op)
        #expect(throws: FluidError.self) { try Executor().run(program, scope: Scope()) }
    }

    @Test(arguments: [
        ("adam", "SkipUpdate"), ("adam", "MasterParam"), ("sgd", "MasterParam"), ("momentum", "MasterParam"),
        ("clip", "Min"), ("top_k", "K"), ("reshape2", "ShapeTensor"), ("uniform_random", "ShapeTensor"),
    ])
    func unimplementedSlotsAreRefused(_ type: String, _ slot: String) throws {
        var op = Self.filledOp(try OpRegistry.definition(type).schema)
        op.setInput(slot, ["given"])
        let error = #expect(throws: FluidError.self) { try OpRegistry.definition(type).schema.bind(op) }
        guard case .unsupported(let op, let name, let message) = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(op == type && name == slot && message.contains("not implemented"), "\(message)")
    }

    @Test func momentumRefusesARegularizationItCannotFoldIn() throws {
        let p = Program()
        for name in ["p", "g", "v", "lr"] { p.globalBlock.addVar(VarDesc(name: name, shape: name == "lr" ? [1] : [3])) }
        p.globalBlock.appendOp(
            OpDesc(
                type: "momentum", inputs: ["Param": ["p"], "Grad": ["g"], "Velocity": ["v"], "LearningRate": ["lr"]],
                outputs: ["ParamOut": ["p"], "VelocityOut": ["v"]],
                attributes: ["regularization_method": .string("l1_decay")]))
        let scope = Scope()
        for name in ["p", "g", "v"] { try scope.set(name, Tensor(shape: [3], scalars: [1, 2, 3] as [Float])) }
        try scope.set("lr", Tensor(shape: [1], scalars: [0.1] as [Float]))
        #expect(
            throws: FluidError.attribute(
                op: "momentum", name: "regularization_method",
                message: "is 'l1_decay'; the momentum op folds in only l2_decay (or none: '')")
        ) { try Executor().run(p, scope: scope) }
    }
}
