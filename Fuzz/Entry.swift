import FunctionKit

#if canImport(Glibc)
import Glibc
#endif

// Built two ways. With `-D LEADWIRE_FUZZ` and `--sanitize=fuzzer` (scripts/fuzz), libFuzzer
// drives the target named by LEADWIRE_FUZZ_TARGET (a parser, or a function's handler).
// Otherwise this is `fuzz TARGET FILE…`, which runs saved inputs (Fuzz/regressions/<target>/)
// through the same code and fails on the first that breaks the property: how the tests keep
// every finding fixed without a fuzzing build.

#if LEADWIRE_FUZZ
nonisolated(unsafe) private var prepared: FuzzTarget.Prepared?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    let name = getenv("LEADWIRE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget.named(name) else {
        Logger.standardError("Set LEADWIRE_FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: ", ")).")
        exit(2)
    }
    do {
        prepared = try target.prepare()
    } catch {
        Logger.standardError("fuzz \(name): \(error)")
        exit(2)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let input = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    if let broken = prepared?.run(input) { fatalError("property broken: \(broken)") }
    return 0
}
#else
@main
enum ReplayInputs {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget.named(name) else {
            Logger.standardError("Usage: fuzz TARGET FILE…  (TARGET: \(FuzzTarget.all.map(\.name).joined(separator: ", ")))")
            exit(2)
        }
        do {
            let prepared = try target.prepare()
            defer { prepared.finish() }
            for path in arguments.dropFirst() {
                guard let input = FileDescriptorIO.readFile(path) else {
                    Logger.standardError("fuzz: cannot read \(path)")
                    prepared.finish()
                    exit(2)
                }
                if let broken = prepared.run(input) {
                    Logger.standardError("fuzz: \(path): \(broken)")
                    prepared.finish()
                    exit(1)
                }
            }
            print("fuzz: \(arguments.count - 1) inputs through \(name), all answered")
        } catch {
            Logger.standardError("fuzz: \(error)")
            exit(2)
        }
    }
}
#endif
