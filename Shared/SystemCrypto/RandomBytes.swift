/// Bytes from the system's cryptographic random source (getrandom), for ids and secrets.
public enum RandomBytes {
    public static func make(_ count: Int) -> [UInt8] {
        // Eight bytes per draw: one getrandom call each, not one per byte.
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }
}
