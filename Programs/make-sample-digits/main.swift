// Writes real MNIST test digits as PNG files: `make-sample-digits [DIRECTORY] [COUNT]`.
// Defaults: the current directory and 10 digits (infer_0.png ... infer_9.png).
import FluidData
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let directory = arguments.first ?? "."
let count = arguments.dropFirst().first.flatMap { Int($0) } ?? 10
do {
    for path in try writeSampleDigits(to: directory, count: count) {
        print("wrote \(path)")
    }
} catch {
    FileHandle.standardError.write(Data("make-sample-digits: \(error)\n".utf8))
    exit(1)
}
