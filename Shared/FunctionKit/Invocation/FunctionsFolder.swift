#if canImport(Glibc)
import Glibc
#endif

/// Where a function finds the other functions' executables: LEADWIRE_FUNCTIONS_DIR, or else its
/// own folder (the runtime, the host configs and the build all keep the functions together).
public enum FunctionsFolder {
    /// The executable of `name`, or 503 naming where it was looked for.
    public static func executable(_ name: String, environment: Environment) throws(HTTPError) -> String {
        guard let folder = environment["LEADWIRE_FUNCTIONS_DIR"] ?? ownFolder() else {
            throw .serviceUnavailable("Cannot tell where the functions are installed; set LEADWIRE_FUNCTIONS_DIR.")
        }
        let path = folder + "/" + name
        guard access(path, X_OK) == 0 else {
            throw .serviceUnavailable("\(name) is not installed at \(path); install it there or set LEADWIRE_FUNCTIONS_DIR.")
        }
        return path
    }

    /// The folder of the running executable, from /proc/self/exe.
    private static func ownFolder() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }
}
