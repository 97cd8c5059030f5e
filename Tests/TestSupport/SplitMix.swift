/// A small seeded generator (SplitMix64): a generated corpus is the same on every run, so a
/// failure names an input that fails again.
public struct SplitMix {
    var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A query string of some of `parameters`, each given once with one of its spellings, in
    /// a random order.
    public mutating func query(from parameters: [(name: String, spellings: [String])]) -> String {
        var chosen = parameters.filter { _ in below(3) == 0 }
        for index in chosen.indices.reversed() { chosen.swapAt(index, below(index + 1)) }
        return chosen.map { "\($0.name)=\(pick($0.spellings))" }.joined(separator: "&")
    }
}
