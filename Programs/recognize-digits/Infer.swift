import ArgumentParser
import Foundation
import RecognizeDigits

/// `recognize-digits infer IMAGE...`: the tutorial's inference step on PNG files.
struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recognise the digit in each PNG image with a saved inference model.",
        discussion: """
            Each image (any PNG colour type and bit depth, any size) is converted to gray, resized to \
            28 x 28 and normalised as in the tutorial. For each one this prints \
            "Inference result of IMAGE is: D" and its three most probable digits; an image that cannot \
            be read is reported on standard error and the others are still recognised. The exit \
            status is 1 when any image failed.
            """)

    @Option(
        help:
            "The inference model: a directory (as train saves it), a prefix of .pdmodel/.pdiparams files or a .pdmodel file, SwiftFluid's or PaddlePaddle's."
    )
    var modelDir = DigitRecognizer.defaultModelPath

    // No default: ArgumentParser then requires at least one image, and the usage says so.
    @Argument(help: "PNG images to recognise (at least one).") var images: [String]

    func run() throws {
        let recognizer = try DigitRecognizer(modelPath: modelDir)
        let failed = try recognizer.printRecognitions(
            of: images, output: { print($0) }, errorOutput: printToStandardError)
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Writes `line` to standard error after flushing standard output, so the two streams
/// interleave in order on a terminal.
func printToStandardError(_ line: String) {
    fflush(nil)
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
