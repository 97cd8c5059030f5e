import Admin
import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing

@Suite struct AdminKeyTests {
    let admin = try! AdminFixture()

    func status(_ headers: [(String, String)]) -> HTTPResponse.Status {
        admin.logs.send("", contentType: nil, method: .get, headers: headers).status
    }

    @Test func aMissingWrongOrMerelyNamedCallerGets401() {
        #expect(status([]) == .unauthorized)
        #expect(status([("X-Admin-ID", "your-admin-id")]) == .unauthorized)
        #expect(status([("Authorization", "Bearer lw_0000")]) == .unauthorized)
        #expect(status([("Authorization", "Basic " + admin.reader)]) == .unauthorized)
        #expect(status([("Authorization", "Bearer " + admin.reader)]) == .ok)
    }

    @Test func aRevokedKeyStopsWorkingAtOnce() throws {
        #expect(status(admin.bearer(admin.reader)) == .ok)
        #expect(try ApiKeys(database: admin.logs.database()).revoke(name: "reader"))
        #expect(status(admin.bearer(admin.reader)) == .unauthorized)
    }

    @Test func aKeyWithoutTheScopeGets403() {
        #expect(status(admin.bearer(admin.exporter)) == .forbidden)
        #expect(admin.getExport("leads/csv", key: admin.reader).status == .forbidden)
        let replay = admin.logs.send("", method: .post, path: "/api/admin/webhook-logs/kommo:x/replay", headers: admin.bearer(admin.reader))
        #expect(replay.status == .forbidden)
        #expect(replay.json["error"]?["message"]?.text?.contains("logs:replay") == true)
    }

    @Test func keysAreStoredOnlyAsHashes() throws {
        let stored = try admin.logs.rows("SELECT key_prefix, key_sha256 FROM api_keys")
        #expect(stored.count == 3)
        for row in stored {
            #expect(row["key_sha256"]?.text?.count == 64)
            #expect(row["key_prefix"]?.text?.count == 10)
        }
        let columns = try admin.logs.database().query("SELECT * FROM api_keys").flatMap(\.values)
        #expect(!columns.contains(.text(admin.reader)))
    }
}
