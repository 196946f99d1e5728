import Testing

@testable import Fluid

@Suite struct ProgramBuilderTests {
    func initializer(of name: String, in startup: Program) throws -> OpDesc {
        try #require(startup.globalBlock.ops.first { $0.output("Out") == [name] }, "no initializer for \(name)")
    }

    @Test func defaultInitializersMatchPaddlesStartupPrograms() throws {
        // Values from PaddlePaddle 3.3.1's startup programs for the tutorial's models.
        let main = Program()
        let startup = Program()
        let net = ProgramBuilder(main: main, startup: startup)
        let img = net.data("img", shape: [-1, 1, 28, 28])
        let conv1 = try net.conv2d(img, filters: 20, size: 5, act: .relu)
        let conv2 = try net.conv2d(try net.pool2d(conv1, size: 2, stride: 2), filters: 50, size: 5)
        let hidden = try net.fc(img, size: 200, act: .relu)
        _ = conv2
        _ = hidden
        let c0 = try initializer(of: "conv2d_0.w_0", in: startup)
        #expect(try c0.type == "gaussian_random" && abs(c0.float("std") - 0.2828427255153656) < 1e-7)
        let c1 = try initializer(of: "conv2d_1.w_0", in: startup)
        #expect(try c1.type == "gaussian_random" && abs(c1.float("std") - 0.06324554979801178) < 1e-7)
        let w = try initializer(of: "fc_0.w_0", in: startup)
        #expect(
            try w.type == "uniform_random" && abs(w.float("max") - 0.07808688282966614) < 1e-7
                && abs(w.float("min") + 0.07808688282966614) < 1e-7)
        #expect(try w.ints("shape") == [784, 200])
        let b = try initializer(of: "fc_0.b_0", in: startup)
        #expect(try b.type == "fill_constant" && (b.float("value")) == 0)
        #expect(
            main.globalBlock.ops.map(\.type) == [
                "conv2d", "elementwise_add", "relu", "pool2d", "conv2d", "elementwise_add", "mul", "elementwise_add",
                "relu",
            ])
        #expect(main.globalBlock.findVar("fc_0.tmp_2")?.shape == [-1, 200])
    }

    @Test func explicitInitializersBecomeTheirOps() throws {
        let main = Program()
        let startup = Program()
        let net = ProgramBuilder(main: main, startup: startup)
        let x = net.data("x", shape: [-1, 6])
        _ = try net.fc(x, size: 4, weight: ParamAttr(name: "msra_w", initializer: .msra(uniform: true)), bias: nil)
        _ = try net.fc(
            x, size: 4, weight: ParamAttr(initializer: .truncatedNormal(mean: 0, std: 0.5)),
            bias: ParamAttr(initializer: .constant(0.25)))
        _ = try net.fc(x, size: 4, weight: ParamAttr(initializer: .xavier(uniform: false)))
        let msra = try initializer(of: "msra_w", in: startup)
        #expect(try msra.type == "uniform_random" && abs(msra.float("max") - (6.0 / 6.0 as Float).squareRoot()) < 1e-6)
        #expect(try initializer(of: "fc_1.w_0", in: startup).type == "truncated_gaussian_random")
        #expect(try initializer(of: "fc_1.b_0", in: startup).float("value") == 0.25)
        let xavierNormal = try initializer(of: "fc_2.w_0", in: startup)
        #expect(
            try xavierNormal.type == "gaussian_random"
                && abs(xavierNormal.float("std") - (2.0 / 10.0 as Float).squareRoot()) < 1e-6)
        #expect(main.globalBlock.findVar("fc_0.b_0") == nil, "bias: nil declares no bias")
        // The startup program runs and fills every parameter.
        let scope = Scope()
        startup.randomSeed = 3
        try Executor().run(startup, scope: scope)
        #expect(try scope["msra_w"]!.scalars(as: Float.self).allSatisfy { abs($0) <= 1 })
        #expect(try scope["fc_1.w_0"]!.scalars(as: Float.self).allSatisfy { abs($0) <= 1 })
    }

    @Test func layersRejectInputsTheyCannotUse() throws {
        let net = ProgramBuilder(main: Program(), startup: Program())
        let flat = net.data("flat", shape: [-1, 8])
        #expect(throws: FluidError.self) { try net.conv2d(flat, filters: 4, size: 3) }
        #expect(throws: FluidError.self) { try net.fc(flat, size: 3, numFlattenDims: 2) }
        let img = net.data("img", shape: [-1, 3, 8, 8])
        #expect(throws: FluidError.self) { try net.conv2d(img, filters: 4, size: 3, groups: 2) }
        do {
            _ = try net.add(flat, net.data("other", shape: [-1, 5]))
            Issue.record("adding [-1, 8] and [-1, 5] must fail")
        } catch {
            #expect("\(error)".contains("elementwise_add"))
        }
    }

    @Test func outputsAreNamedAsPaddle() throws {
        let main = Program()
        let startup = Program()
        let net = ProgramBuilder(main: main, startup: startup)
        let x = net.data("x", shape: [-1, 3, 4, 4])
        let y = try net.batchNorm(x, act: .relu)
        let flat = try net.flatten(y)
        let r = try net.reshape(flat, shape: [0, 6, 8])
        #expect(y.name == "batch_norm_0.tmp_4" || y.name == "batch_norm_0.tmp_3")
        #expect(flat.shape == [-1, 48] && r.shape == [-1, 6, 8])
        let bn = try #require(main.globalBlock.ops.first { $0.type == "batch_norm" })
        #expect(bn.output("MeanOut") == ["batch_norm_0.w_1"] && bn.input("Mean") == ["batch_norm_0.w_1"])
        #expect(bn.output("SavedMean") == ["batch_norm_0.tmp_0"] && bn.output("Y") == ["batch_norm_0.tmp_3"])
    }
}
