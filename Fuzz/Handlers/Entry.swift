import FunctionKit

#if canImport(Glibc)
import Glibc
#endif

// Built two ways. With `-D LEADWIRE_FUZZ` and `--sanitize=fuzzer` (scripts/fuzz), libFuzzer
// drives the function named by LEADWIRE_FUZZ_FUNCTION. Otherwise this is `handler-fuzz
// FUNCTION FILE…`, which runs saved inputs (Fuzz/regressions/<function>/) through the same
// harness and fails on the first that breaks the property: how the tests keep every finding
// fixed without a fuzzing build.

#if LEADWIRE_FUZZ
nonisolated(unsafe) private var harness: HandlerHarness?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    let name = getenv("LEADWIRE_FUZZ_FUNCTION").map { String(cString: $0) } ?? ""
    guard let function = FuzzedFunction.named(name) else {
        Logger.standardError("Set LEADWIRE_FUZZ_FUNCTION to one of: \(FuzzedFunction.all.map(\.name).joined(separator: ", ")).")
        exit(2)
    }
    do {
        harness = try HandlerHarness(function: function)
    } catch {
        Logger.standardError("handler-fuzz: \(error)")
        exit(2)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let input = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    if let broken = harness?.run(input) { fatalError("property broken: \(broken)") }
    return 0
}
#else
@main
enum ReplayInputs {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let function = FuzzedFunction.named(name) else {
            Logger.standardError("Usage: handler-fuzz FUNCTION FILE…  (FUNCTION: \(FuzzedFunction.all.map(\.name).joined(separator: ", ")))")
            exit(2)
        }
        do {
            let harness = try HandlerHarness(function: function)
            defer { harness.removeStore() }
            for path in arguments.dropFirst() {
                guard let input = FileDescriptorIO.readFile(path) else {
                    Logger.standardError("handler-fuzz: cannot read \(path)")
                    harness.removeStore()
                    exit(2)
                }
                if let broken = harness.run(input) {
                    Logger.standardError("handler-fuzz: \(path): \(broken)")
                    harness.removeStore()
                    exit(1)
                }
            }
            print("handler-fuzz: \(arguments.count - 1) inputs through \(name), all answered")
        } catch {
            Logger.standardError("handler-fuzz: \(error)")
            exit(2)
        }
    }
}
#endif
