#if canImport(Glibc)
import Glibc
#endif

/// Where a function in FastCGI mode accepts connections: the listening socket a host hands it
/// as fd 0 (the FastCGI convention: lighttpd's `bin-path`, spawn-fcgi, systemd socket
/// activation with `StandardInput=socket`), or one it binds itself with
/// `--fastcgi unix:/run/leadwire/NAME.sock` or `--fastcgi 127.0.0.1:9001`.
enum FastCGIListener {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The listening descriptor, or nil when this process was started as a CGI script.
    static func find(arguments: [String]) throws(Failure) -> Int32? {
        if let index = arguments.firstIndex(of: "--fastcgi") {
            guard index + 1 < arguments.count else { throw Failure(description: "--fastcgi needs an address: unix:/path or 127.0.0.1:9001") }
            return try bind(arguments[index + 1])
        }
        return standardInputIsListening ? 0 : nil
    }

    /// A listening socket has no peer: getpeername fails with ENOTCONN. A CGI script's stdin
    /// is a pipe or a file (ENOTSOCK) or, for some hosts, a connected socket (which has a peer).
    static var standardInputIsListening: Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(0, $0, &length) }
        }
        return result != 0 && errno == ENOTCONN
    }

    static func bind(_ address: String) throws(Failure) -> Int32 {
        if address.hasPrefix("unix:") {
            return try bindUnix(String(address.dropFirst(5)))
        }
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw Failure(description: "--fastcgi \(address): expected unix:/path or HOST:PORT")
        }
        return try bindTCP(host: String(address[..<colon]), port: port)
    }

    private static func bindUnix(_ path: String) throws(Failure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Failure(description: "--fastcgi unix:\(path): the path is empty or too long for a socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        // A socket file left by an earlier run would make bind fail.
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return try listen(descriptor, bound: bound, address: "unix:\(path)")
    }

    private static func bindTCP(host: String, port: UInt16) throws(Failure) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw Failure(description: "--fastcgi \(host):\(port): the host must be an IPv4 address such as 127.0.0.1")
        }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return try listen(descriptor, bound: bound, address: "\(host):\(port)")
    }

    private static func listen(_ descriptor: Int32, bound: Int32, address: String) throws(Failure) -> Int32 {
        guard descriptor >= 0, bound == 0, Glibc.listen(descriptor, SOMAXCONN) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw Failure(description: "--fastcgi \(address): cannot listen: \(reason)")
        }
        return descriptor
    }
}
