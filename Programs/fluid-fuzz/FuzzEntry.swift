import FluidFuzzing
import Foundation

// Built two ways. By `Tools/fuzz` (-DFUZZING, -sanitize=fuzzer,address): libFuzzer's main calls
// the entry point below with each input, for the target named by $FLUID_FUZZ_TARGET. By a plain
// `swift build`: `fluid-fuzz TARGET FILE...` runs the target once on each file, to replay a
// crash libFuzzer saved or check a reproducer.

#if FUZZING
    let fuzzTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["FLUID_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(
                Data("fluid-fuzz: set FLUID_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        return target
    }()

    /// Called by libFuzzer before fuzzing; with $FLUID_FUZZ_LIST_SEEDS set it prints the target's
    /// seed files (for Tools/fuzz to copy) and exits.
    @_cdecl("LLVMFuzzerInitialize")
    public func fuzzInitialize(
        _ argc: UnsafeMutablePointer<CInt>?,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
    ) -> CInt {
        if ProcessInfo.processInfo.environment["FLUID_FUZZ_LIST_SEEDS"] != nil {
            let repository =
                ProcessInfo.processInfo.environment["SWIFTFLUID_REPOSITORY"] ?? FileManager.default.currentDirectoryPath
            for file in fuzzTarget.seedFiles(repository: repository) { print(file) }
            exit(0)
        }
        _ = fuzzTarget
        return 0
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { [UInt8](UnsafeBufferPointer(start: $0, count: size)) } ?? []
        _ = fuzzTarget.run(bytes)
        return 0
    }

    /// libFuzzer's driver, for programs that have a main of their own.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's entry point under this name; it hands over to libFuzzer.
    @_cdecl("fluid_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, { data, size in fuzzOneInput(data, size) })
    }
#else
    @main
    struct FuzzReplay {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else {
                print(
                    "usage: fluid-fuzz TARGET FILE...   (TARGET: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
                print("Runs TARGET's parser on each FILE. Tools/fuzz TARGET [SECONDS] builds the libFuzzer binary.")
                exit(2)
            }
            for path in arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    print("\(path): cannot be read")
                    continue
                }
                switch target.run([UInt8](data)) {
                case .accepted: print("\(path): accepted")
                case .refused(let message): print("\(path): refused: \(message)")
                }
            }
        }
    }
#endif
