import APIDescription
import FunctionCatalog
import FunctionKit
import Testing

/// The OpenAPI document is made from the catalog's routes and each function's operations; these
/// hold the two to each other, in process. (CI's schemathesis run checks the answers against it.)
@Suite struct APIDescriptionTests {
    /// `METHOD /path`, a HEAD counted as its GET (HTTP answers HEAD wherever it answers GET).
    static func key(_ method: String, _ path: String) -> String {
        let method = method.uppercased()
        return "\(method == "HEAD" ? "GET" : method) \(path)"
    }

    @Test func everyEndpointTheRouterServesIsDocumentedAndNothingElse() {
        let documented = APIDescription.placed.map { Self.key($0.operation.method, $0.path) }
        var served = Set(Catalog.functions.flatMap { Endpoint.all(of: $0) }.map { Self.key($0.method, $0.path) })
        served.insert("GET /openapi.json")
        #expect(served.subtracting(documented).sorted() == [], "routed but not in the OpenAPI document")
        #expect(Set(documented).subtracting(served).sorted() == [], "in the OpenAPI document but routed to no function")
        #expect(documented.count == Set(documented).count, "an operation documented twice")
    }

    /// Each endpoint's path reaches its own function through the router, aliases included.
    @Test func everyEndpointIsRoutedToItsFunction() {
        for function in Catalog.functions {
            for endpoint in Endpoint.all(of: function) {
                let concrete = endpoint.path.replacing(/\{[a-z]+\}/, with: "x")
                #expect(Catalog.route(concrete)?.function.name == function.name, "\(endpoint.method) \(endpoint.path) is not routed to \(function.name)")
            }
        }
    }

    /// The error codes are a closed set, and the document lists it.
    @Test func theErrorShapeListsEveryErrorCode() throws {
        let codes = ErrorCode.all.map(\.rawValue)
        #expect(codes.count == Set(codes).count)
        let document = try JSONValue(parsing: Array(APIDescription.json.utf8))
        let listed = document["components"]?["schemas"]?["Error"]?["properties"]?["error"]?["properties"]?["code"]?["enum"]
        #expect(listed == .array(codes.map(JSONValue.string)))
    }

    @Test func operationIDsAreUniqueAndTheDocumentIsValidJSON() throws {
        let ids = APIDescription.placed.map(\.id)
        #expect(ids.count == Set(ids).count)
        let document = try JSONValue(parsing: Array(APIDescription.json.utf8))
        #expect(document["openapi"] == .string("3.1.0"))
    }
}
