import Foundation
import Testing

@testable import Fluid

/// `Program.dot()`: Graphviz syntax for saved models and for names that need escaping.
@Suite struct ProgramDotTests {
    /// What the dot text holds outside and inside its quoted strings: the strings (unescaped),
    /// the `->` edges and the brace depth. Fails on an unterminated string.
    struct Tokens {
        var strings: [String] = []
        var arrows = 0
        var braceDepthNeverNegative = true
        var finalBraceDepth = 0

        init(_ text: String) throws {
            var chars = Array(text.unicodeScalars)[...]
            var depth = 0
            while let c = chars.popFirst() {
                switch c {
                case "\"":
                    var s = ""
                    var closed = false
                    while let d = chars.popFirst() {
                        if d == "\"" {
                            closed = true
                            break
                        }
                        if d == "\\", let e = chars.popFirst() {
                            switch e {
                            case "\"": s += "\""
                            case "\\": s += "\\"
                            case "n": s += "\n"
                            default: s += "\\" + String(e)
                            }
                        } else {
                            s.unicodeScalars.append(d)
                        }
                    }
                    guard closed else { throw FluidError.program("unterminated string in dot output") }
                    strings.append(s)
                case "{": depth += 1
                case "}":
                    depth -= 1
                    if depth < 0 { braceDepthNeverNegative = false }
                case "-" where chars.first == ">":
                    chars.removeFirst()
                    arrows += 1
                default: break
                }
            }
            finalBraceDepth = depth
        }
    }

    @Test(arguments: ["export/softmax/softmax.pdmodel", "export/mlp/fluid1x", "export/cnn/full_attrs/cnn.pdmodel"])
    func everyOpAndVariableOfAModelAppears(path: String) throws {
        let program = try loadInferenceModel(from: Fixtures.path(path)).program
        let block = program.globalBlock
        let text = program.dot()
        #expect(text.hasPrefix("digraph "))
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("}"))
        let tokens = try Tokens(text)
        #expect(tokens.braceDepthNeverNegative && tokens.finalBraceDepth == 0)
        let labels = Set(tokens.strings)
        for (i, op) in block.ops.enumerated() { #expect(labels.contains("\(i): \(op.type)")) }
        let variableLabels = tokens.strings.map { $0.split(separator: "\n").first.map(String.init) ?? $0 }
        for v in block.vars { #expect(variableLabels.contains(v.name), "\(v.name)") }
        // One edge per variable of every slot of every op.
        #expect(tokens.arrows == block.ops.reduce(0) { $0 + $1.inputNames.count + $1.outputNames.count })
        // Parameters are drawn filled, other variables not.
        for line in text.split(separator: "\n")
        where line.contains("[label=\"conv2d_0.w_0") || line.contains("[label=\"fc_0.w_0") {
            #expect(line.contains("filled"))
        }
        for line in text.split(separator: "\n") where line.contains("[label=\"img\\n") {
            #expect(!line.contains("filled"))
        }
    }

    @Test func namesWithQuotesAndBackslashesAreEscaped() throws {
        let program = Program()
        let block = program.globalBlock
        let odd = "x \"quoted\" \\ {brace}"
        let out = "y\"; evil -> z ["
        let graphName = "my \"graph\""
        block.addVar(VarDesc(name: odd, shape: [-1, 4]))
        block.addVar(VarDesc(name: out, shape: [-1, 4]))
        block.appendOp(OpDesc(type: "relu", inputs: ["X": [odd]], outputs: ["Out": [out]]))
        let text = program.dot(name: graphName)
        #expect(text.contains("x \\\"quoted\\\" \\\\ {brace}"))
        let tokens = try Tokens(text)
        #expect(tokens.braceDepthNeverNegative && tokens.finalBraceDepth == 0)
        #expect(tokens.strings.first == graphName)
        #expect(tokens.strings.contains(odd + "\nfloat32 [?, 4]"))
        #expect(tokens.strings.contains(out + "\nfloat32 [?, 4]"))
        #expect(tokens.arrows == 2)
    }

    static let graphviz = ["/usr/bin/dot", "/usr/local/bin/dot"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: graphviz != nil, "Graphviz is not installed"))
    func graphvizParsesTheOutput() throws {
        let program = try loadInferenceModel(from: Fixtures.path("export/cnn/cnn.pdmodel")).program
        let escaped = Program()
        escaped.globalBlock.addVar(VarDesc(name: "a\"b\\", shape: [2]))
        escaped.globalBlock.appendOp(OpDesc(type: "relu", inputs: ["X": ["a\"b\\"]], outputs: ["Out": ["c"]]))
        for text in [program.dot(), escaped.dot(name: "q\"\\")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.graphviz))
            process.arguments = ["-Tcanon"]
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.write(Data(text.utf8))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
    }
}
