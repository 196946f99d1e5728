import Foundation

/// The inference models PaddlePaddle 3.3.1 exported for the tutorial's three networks, with
/// their expected outputs, in Tests/Fixtures/paddle/export (see Tests/Fixtures/README.md).
public enum PaddleExports {
    /// Tests/Fixtures/paddle/export, found from this file's place in Tests/FluidTestSupport.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/paddle/export").path

    public static let models = ["softmax", "mlp", "cnn"]

    /// The three ways the fixtures store each model.
    public enum Layout: String, CaseIterable, Sendable {
        case combined, directory, fullAttributes
    }

    /// The path `loadInferenceModel` takes for `model` stored in `layout`.
    public static func path(_ model: String, _ layout: Layout) -> String {
        switch layout {
        case .combined: "\(root)/\(model)/\(model).pdmodel"
        case .directory: "\(root)/\(model)/fluid1x"
        case .fullAttributes: "\(root)/\(model)/full_attrs/\(model).pdmodel"
        }
    }

    /// Paddle's outputs for the first 256 test images: float32 [256, 10], decoded here from
    /// the raw little-endian file.
    public static func expectedProbabilities(_ model: String) throws -> [Float] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(model)/expected_probs_256.f32")))
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(
                bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(
                    bytes[i + 3]) << 24)
        }
    }

    /// Paddle's argmax of those outputs (int64 [256]).
    public static func expectedLabels(_ model: String) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(model)/expected_labels_256.i64")))
        return stride(from: 0, to: bytes.count, by: 8).map { i in
            (0..<8).reduce(0) { $0 | Int(bytes[i + $1]) << (8 * $1) }
        }
    }

    /// `expected.json` of `model`.
    public static func expected(_ model: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(model)/expected.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}
