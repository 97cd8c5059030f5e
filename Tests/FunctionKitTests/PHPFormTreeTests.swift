import FunctionKit
import Testing

/// Bodies shaped like Kommo's real form-encoded webhooks: percent-encoded brackets, every value a
/// string, several custom-field value shapes, the account block first or last.
@Suite struct PHPFormTreeTests {
    static let statusChange =
        "leads%5Bstatus%5D%5B0%5D%5Bid%5D=25399013&leads%5Bstatus%5D%5B0%5D%5Bname%5D=Deal+%2B+more"
        + "&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=20756554"
        + "&leads%5Bstatus%5D%5B0%5D%5Bprice%5D=&leads%5Bstatus%5D%5B0%5D%5Bupdated_at%5D=1744532876"
        // text field with [value]
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bid%5D=1&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=utm_source"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=ref_ABC"
        // select with enum
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bid%5D=2"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=Red"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B1%5D%5Bvalues%5D%5B0%5D%5Benum%5D=5501"
        // date: values[0] with no [value]
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B2%5D%5Bid%5D=3"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B2%5D%5Bvalues%5D%5B0%5D=1625086800"
        // empty field: listed, no values at all
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B3%5D%5Bid%5D=4&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B3%5D%5Bname%5D=utm_medium"
        // radiobutton: values is an object, not a list
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B4%5D%5Bid%5D=5"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B4%5D%5Bvalues%5D%5Bvalue%5D=Yes&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B4%5D%5Bvalues%5D%5Benum%5D=77"
        + "&account%5Bsubdomain%5D=unirock&account%5Bid%5D=29085730&account%5B_links%5D%5Bself%5D=https%3A%2F%2Funirock.amocrm.ru"

    @Test func buildsOneTreeFromARealShapedStatusWebhook() throws {
        let tree = try PHPFormTree.parse(Array(Self.statusChange.utf8))
        let lead = try #require(tree["leads"]?["status"]?[0])
        #expect(lead["id"] == "25399013")
        #expect(lead["name"] == "Deal + more")
        #expect(lead["price"] == "")
        let fields = try #require(lead["custom_fields"])
        #expect(fields[0]?["values"]?[0]?["value"] == "ref_ABC")
        #expect(fields[1]?["values"]?[0]?["enum"] == "5501")
        #expect(fields[2]?["values"] == ["1625086800"])
        #expect(fields[3]?["values"] == nil)
        #expect(fields[3]?["name"] == "utm_medium")
        #expect(fields[4]?["values"] == ["value": "Yes", "enum": "77"])
        #expect(tree["account"]?["_links"]?["self"] == "https://unirock.amocrm.ru")
    }

    @Test func keyOrderDoesNotChangeTheTree() throws {
        let accountFirst = try PHPFormTree.parse(Array("account[id]=1&leads[add][0][id]=5&leads[add][0][name]=A".utf8))
        let accountLast = try PHPFormTree.parse(Array("leads[add][0][name]=A&leads[add][0][id]=5&account[id]=1".utf8))
        #expect(accountFirst["leads"]?["add"]?[0]?["id"] == accountLast["leads"]?["add"]?[0]?["id"])
        #expect(accountFirst["account"]?["id"] == accountLast["account"]?["id"])
    }

    @Test func indicesOutOfOrderStillMakeAList() throws {
        let tree = try PHPFormTree.parse(Array("v[1]=b&v[0]=a&w[0]=x&w[2]=y".utf8))
        #expect(tree["v"] == ["a", "b"])
        // Not 0...n-1: kept as an object keyed by the indices, nothing dropped.
        #expect(tree["w"] == ["0": "x", "2": "y"])
    }

    @Test func emptyBracketsAppendAsInPHP() throws {
        #expect(try PHPFormTree.parse(Array("tag[]=a&tag[]=b&tag[]=c".utf8))["tag"] == ["a", "b", "c"])
    }

    @Test func laterValueWinsAndMalformedKeysAreKept() throws {
        let tree = try PHPFormTree.parse(Array("a=1&a=2&b[x=3&c[d]e=4&=skip&%ZZ=5".utf8))
        #expect(tree["a"] == "2")
        #expect(tree["b[x"] == "3")
        #expect(tree["c"]?["d"] == "4")
        #expect(tree["%ZZ"] == "5")
        #expect(tree[""] == nil)
    }

    @Test func percentDecodingHandlesPlusAndUTF8() throws {
        #expect(URLEncoding.decode(Array("a+b%2Bc%20%D0%A3".utf8)) == "a b+c У")
        #expect(URLEncoding.decode(Array("100%".utf8)) == "100%")
        #expect(URLEncoding.decodePath("/a+b/%7Euser") == "/a+b/~user")
    }

    // MARK: Hostile bodies: linear time, and limits that answer instead of pinning a core

    /// 300,000 distinct fields (3.4 MB): quadratic insertion took minutes for this; linear
    /// parsing takes about a second even in a debug build.
    @Test(.timeLimit(.minutes(1))) func manyFieldsParseInLinearTime() throws {
        let body = (0..<300_000).map { "k\($0)=v" }.joined(separator: "&")
        let tree = try PHPFormTree.parse(Array(body.utf8), limits: FormLimits(maxFields: 300_000))
        #expect(tree.object?.members.count == 300_000)
        #expect(tree["k299999"] == "v")
    }

    @Test(.timeLimit(.minutes(1))) func longAppendListsParseInLinearTime() throws {
        let body = Array(repeating: "a[]=v", count: 200_000).joined(separator: "&")
        let tree = try PHPFormTree.parse(Array(body.utf8), limits: FormLimits(maxFields: 200_000, maxIndex: 1_000_000))
        guard case .array(let items)? = tree["a"] else {
            Issue.record("a[] did not make a list")
            return
        }
        #expect(items.count == 200_000)
    }

    @Test func tooManyFieldsAreRefusedNamingTheSetting() {
        let body = Array(repeating: "a=1", count: 101).joined(separator: "&")
        #expect {
            try PHPFormTree.parse(Array(body.utf8), limits: FormLimits(maxFields: 100))
        } throws: { error in
            "\(error)".contains("101 fields") && "\(error)".contains("LEADWIRE_MAX_FORM_KEYS")
        }
        // Empty segments are not fields.
        #expect(throws: Never.self) { try PHPFormTree.parse(Array((body.dropLast(4) + "&&&&").utf8), limits: FormLimits(maxFields: 100)) }
    }

    @Test func deepNestingIsRefusedNamingTheSetting() {
        let body = "a" + String(repeating: "[x]", count: 65) + "=1"
        #expect {
            try PHPFormTree.parse(Array(body.utf8))
        } throws: { error in
            "\(error)".contains("more than 64 levels") && "\(error)".contains("LEADWIRE_MAX_NESTING_DEPTH")
        }
        #expect(throws: Never.self) { try PHPFormTree.parse(Array(("a" + String(repeating: "[x]", count: 64) + "=1").utf8)) }
    }

    /// `[]` after the largest integer key overflowed and crashed the process before the limit.
    @Test func hugeIndicesAreRefusedInsteadOfOverflowing() {
        #expect {
            try PHPFormTree.parse(Array("a[9223372036854775807]=x&a[]=y".utf8))
        } throws: { error in
            "\(error)".contains("LEADWIRE_MAX_FORM_INDEX")
        }
        #expect(throws: Never.self) { try PHPFormTree.parse(Array("a[100000]=x".utf8)) }
    }

    /// PHP's append rule: one past the largest integer key, whatever came between.
    @Test func appendingFollowsTheLargestIndex() throws {
        let tree = try PHPFormTree.parse(Array("a[5]=x&a[name]=n&a[]=y&a[2]=z&a[]=w".utf8))
        #expect(tree["a"] == ["5": "x", "name": "n", "6": "y", "2": "z", "7": "w"])
    }
}
