import Fluid
import FluidData
import Foundation

/// The parsers of untrusted files, each as one entry point that takes the raw bytes of an
/// input: libFuzzer drives them through `Programs/fluid-fuzz` (`Tools/fuzz TARGET`), and the
/// test suite through a short deterministic mutation loop. An entry point returns whether the
/// input was accepted or refused with an error; a crash, a trap, a leak or a huge allocation
/// is the bug either driver looks for.
///
/// ```swift
/// let outcome = FuzzTarget.png.run(bytes)   // .accepted or .refused("PNG file '...' cannot be decoded: ...")
/// ```
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `ProgramDesc.decode`, then `encode` and `decode` again of what was accepted.
    case programDesc = "program-desc"
    /// `loadInferenceModel` of a combined model whose `.pdmodel` is the input, beside the exported
    /// softmax model's parameters (so a program that declares those loads all the way).
    case inferenceModel = "inference-model"
    /// `loadInferenceModel` of the exported softmax model whose `.pdiparams` (tensor streams) is the input.
    case tensorStream = "tensor-stream"
    /// `IDXFile(contentsOf:)`, gzip-compressed when the input starts with gzip's magic bytes.
    case idx
    /// `DecodedPNG(data:)`, then the tutorial's preprocessing (gray, 28 x 28 Lanczos).
    case png

    /// Runs the target's parser on `bytes`.
    public func run(_ bytes: [UInt8]) -> FuzzOutcome {
        do {
            switch self {
            case .programDesc:
                let program = try ProgramDesc.decode(Data(bytes), source: "<fuzz>")
                _ = try ProgramDesc.decode(ProgramDesc.encode(program), source: "<fuzz re-encoded>")
            case .inferenceModel:
                _ = try FuzzScratch.shared.withCase(
                    [(".pdmodel", bytes), (".pdiparams", FuzzScratch.softmaxParameters)]
                ) { try loadInferenceModel(from: $0) }
            case .tensorStream:
                _ = try FuzzScratch.shared.withCase(
                    [(".pdmodel", FuzzScratch.softmaxModel), (".pdiparams", bytes)]
                ) { try loadInferenceModel(from: $0) }
            case .idx:
                let suffix = bytes.starts(with: [0x1F, 0x8B]) ? ".idx.gz" : ".idx"
                _ = try FuzzScratch.shared.withCase([(suffix, bytes)]) { try IDXFile(contentsOf: $0 + suffix) }
            case .png:
                let png = try DecodedPNG(data: bytes, path: "<fuzz>.png")
                _ = try png.grayscale().resized(width: DigitImage.side, height: DigitImage.side).normalized()
            }
            return .accepted
        } catch {
            return .refused("\(error)")
        }
    }

    /// The seed inputs under a SwiftFluid checkout at `repository`: PaddlePaddle's exported
    /// programs, models and parameters, MNIST slices, and PNGs of every colour type.
    public func seedFiles(repository: String) -> [String] {
        let fixtures = repository + "/Tests/Fixtures"
        let models = ["softmax", "mlp", "cnn"]
        switch self {
        case .programDesc:
            return files(in: fixtures + "/paddle/programs")
                + models.flatMap { m in
                    ["\(fixtures)/paddle/export/\(m)/\(m).pdmodel", "\(fixtures)/paddle/export/\(m)/fluid1x/__model__"]
                }
        case .inferenceModel:
            // The model the fixed parameters belong to; the others are programDesc's seeds.
            return [
                "\(fixtures)/paddle/export/softmax/softmax.pdmodel",
                "\(fixtures)/paddle/export/softmax/full_attrs/softmax.pdmodel",
            ]
        case .tensorStream:
            return ["\(fixtures)/paddle/export/softmax/softmax.pdiparams"]
        case .idx:
            return files(in: fixtures + "/fuzz/idx")
        case .png:
            return files(in: fixtures + "/fuzz/png")
        }
    }

    private func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().map { directory + "/" + $0 }
    }
}

/// What a parser made of an input.
public enum FuzzOutcome: Equatable, Sendable {
    case accepted
    /// Refused, with the error's message.
    case refused(String)
}
