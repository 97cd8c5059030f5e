import Foundation
import FunctionKit
import Testing
import TestSupport

/// Kommo and amoCRM write their webhook bodies for PHP's `parse_str`, so PHP is the judge of
/// what a body means. A corpus (hand-picked cases, then bodies made from the pieces that matter:
/// brackets closed and not, `[]`, negative and leading-zero keys, a key given twice at two
/// shapes, escapes good and bad) is parsed by both, and the trees must hold the same keys and
/// values at every level.
///
/// Two differences are by design and left out of the corpus: the order of a level whose keys
/// are 0...n-1 given out of order (the tree lists them in index order, where PHP keeps arrival
/// order), compared here without order; and PHP's renaming of the first part of a name (see
/// `PHPFormTree`), so first parts here are plain.
@Suite struct PHPFormTreeAgainstPHPTests {
    static let handPicked = [
        "a[1]=x&a[0]=y", "a[b][c=1", "a[b[c]=1", "a]=1", "a[]b[]=1", "a[x]=1&a[x][y]=2", "a[x][y]=2&a[x]=1", "a[ b]=1", "a[b.c]=1",
        "a[]=1&a[5]=2&a[]=3", "a=1&a=2", "a[-5]=1&a[]=2", "a[-5]=1&a[-9]=2&a[]=3", "a[07]=1&a[]=2", "a[-0]=1&a[]=2", "a[b]]=1",
        "a%5Bb%5D=1", "a[%5D]=1", "a=%zz&b=%2&c=%", "a=x+y%2Bz", "&&a=1&&", "a", "a[]", "a=1=2", "a=%C3%A9&b=%ff&c=%C3",
        "leads[status][0][custom_fields][0][values][0][value]=ref&leads[status][0][custom_fields][0][values][0][enum]=5",
    ]

    /// Bodies made from a fixed seed, so a failure names a body that fails again.
    static var generated: [String] {
        var random = SplitMix(seed: 0x5EED_F0E3)
        let names = ["a", "leads", "x_1", "Z"]
        let keys = ["", "", "0", "1", "2", "3", "-1", "-7", "07", "-0", "10", "name", "add", "a b", "b.c", "ü", "%5B", "x%5Dy", "9999"]
        let values = ["", "1", "x+y", "%20", "%zz", "%C3%A9", "a%26b", "=", "%2", "%ff", "ref_ABC"]
        return (0..<3000).map { _ in
            (0..<random.below(6) + 1).map { _ in
                var field = random.pick(names)
                for level in 0..<random.below(5) {
                    switch random.below(12) {
                    // Never closed; not on the first level, where PHP would rename the name.
                    case 0 where level > 0: field += "[" + random.pick(keys)
                    case 1: field += "[" + random.pick(keys) + "]x"  // text after the bracket
                    default: field += "[" + random.pick(keys) + "]"
                    }
                }
                return random.below(8) == 0 ? field : field + "=" + random.pick(values)
            }.joined(separator: random.below(10) == 0 ? "&&" : "&")
        }
    }

    @Test func everyBodyReadsAsPHPReadsIt() throws {
        let bodies = Self.handPicked + Self.generated
        // One PHP process for the corpus: each body parsed, its tree encoded with every level
        // an object (JSON_FORCE_OBJECT), invalid UTF-8 shown as U+FFFD as the tree shows it.
        let php = """
            $out = [];
            foreach (json_decode(stream_get_contents(STDIN)) as $body) {
                parse_str($body, $tree);
                $out[] = json_encode($tree, JSON_FORCE_OBJECT | JSON_INVALID_UTF8_SUBSTITUTE);
            }
            echo json_encode($out);
            """
        let verdicts = try phpVerdicts(php, input: try JSONEncoder().encode(bodies), as: [String].self)
        try #require(verdicts.count == bodies.count)
        var differences: [String] = []
        for (body, verdict) in zip(bodies, verdicts) {
            let tree = try PHPFormTree.parse(Array(body.utf8))
            if Level(tree) != Level(try JSONValue(parsing: verdict)) { differences.append("\(body)\n  PHP: \(verdict)\n  ours: \(tree.jsonText)") }
        }
        #expect(differences.count == 0, "\(differences.count) of \(bodies.count) differ:\n\(differences.prefix(5).joined(separator: "\n"))")
    }

    /// A tree with every level a dictionary by key (a list's keys are its indices), as PHP's
    /// arrays are, for a comparison without order.
    indirect enum Level: Equatable {
        case text(String)
        case map([String: Level])
        case other(String)

        init(_ value: JSONValue) {
            switch value {
            case .string(let text): self = .text(text)
            case .array(let items): self = .map(Dictionary(uniqueKeysWithValues: items.enumerated().map { (String($0), Level($1)) }))
            case .object(let object): self = .map(Dictionary(object.members.map { ($0.key, Level($0.value)) }) { $1 })
            default: self = .other("\(value)")
            }
        }
    }
}
