// The URLSession clients against a local server with scripted replies.
import Foundation
import XCTest
@testable import IMEdit

/// A simulated clock: sleeping advances it at once, and every sleep is recorded.
final class FakeClock: HostClock {
    private let lock = NSLock()
    private var now: UInt64 = 1_717_245_296_000
    private(set) var sleeps: [UInt64] = []
    func nowMillis() -> UInt64 { lock.lock(); defer { lock.unlock() }; return now }
    func sleep(millis: UInt64) { lock.lock(); sleeps.append(millis); now += millis; lock.unlock() }
}

final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

let volcOK = #"{"ResponseMetadata":{"RequestId":"20240601123456C0A80001ABCDEF0123","Action":"ModifyMessage","Version":"2020-12-01","Service":"rtc","Region":"cn-north-1"},"Result":{"Message":"success"}}"#
let volc429 = #"{"ResponseMetadata":{"RequestId":"r429","Action":"ModifyMessage","Version":"2020-12-01","Service":"rtc","Region":"cn-north-1","Error":{"CodeN":100018,"Code":"FlowLimitExceeded","Message":"flow limit exceeded"}}}"#
let gateway502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
func emToken(_ value: String, delayMs: Int = 0) -> Reply {
    Reply(status: 200, body: #"{"access_token":"\#(value)","expires_in":7200,"application":"8be024f0-e978-11e8-b697-5d598d5f8402"}"#, delayMs: delayMs)
}
let emOK = #"{"path":"/messages/rewrite/1235807318835202004","uri":"https://a1.easemob.com/org/app/messages/rewrite/1235807318835202004","timestamp":1705372388118,"organization":"org","application":"ff678832","action":"put","data":"success","duration":49,"applicationName":"app"}"#
let emExpired = #"{"error":"unauthorized","timestamp":1705372388118,"duration":0,"error_description":"Unable to authenticate due to expired access token"}"#
let emNotAuthorized = #"{"error":"message_rewrite_error","timestamp":1705372388118,"duration":0,"error_description":"You are not authorized to edit this message."}"#
let em429 = #"{"error":"reach_limit","timestamp":1705372388118,"duration":0,"error_description":"This request has reached api limit"}"#

final class ClientsTests: XCTestCase {
    var server: ScriptedServer!
    var clock: FakeClock!
    let edit = ModifyMessage(appId: 123456, conversationShortId: 7123456789012345678, messageId: Int64.max,
                             ext: [KeyValue(key: "reviewed", value: "yes")], content: textContent(text: "edited"))
    let rewrite = RewriteMessage(messageId: "1235807318835202004", kind: .text, msg: "edited", extMode: .merge)

    override func setUpWithError() throws {
        server = try ScriptedServer()
        clock = FakeClock()
    }

    override func tearDown() { server.stop() }

    func unlimited() -> RateLimiter { RateLimiter(ratePerSec: 1_000_000, burst: 1_000_000) }

    func volcengine(limiter: RateLimiter? = nil) throws -> VolcengineClient {
        try VolcengineClient(credentials: try Credentials(accessKeyId: "AKLTexample", secretAccessKey: "c2VjcmV0"),
                             endpoint: try Endpoint(region: "cn-north-1", host: server.origin),
                             limiter: limiter ?? unlimited(), clock: clock, random: { 0.5 })
    }

    func easemob(clock: HostClock? = nil) throws -> EasemobClient {
        EasemobClient(settings: try Settings.withOptions(baseUrl: server.origin, orgName: "org", appName: "app", allowHttp: true),
                      source: TokenSource.clientCredentials(credentials: try ClientCredentials(clientId: "YXA6clientid", clientSecret: "YXA6clientsecret")),
                      limiter: unlimited(), tokenLimiter: unlimited(), clock: clock ?? self.clock, random: { 0.5 })
    }

    func code(_ block: () throws -> Any) -> ImeditError? {
        do { _ = try block(); return nil } catch let e as ImeditError { return e } catch { XCTFail("\(error)"); return nil }
    }

    func testVolcengineSuccess() throws {
        server.calls(Reply(status: 200, body: volcOK))
        let meta = try volcengine().modifyMessage(edit)
        XCTAssertEqual(meta.requestId, "20240601123456C0A80001ABCDEF0123")
        let req = try XCTUnwrap(server.seen.first)
        XCTAssertEqual(server.seen.count, 1)
        XCTAssertEqual(req.method, "POST")
        XCTAssertEqual(req.path, "/?Action=ModifyMessage&Version=2020-12-01")
        XCTAssertEqual(req.body, #"{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":9223372036854775807,"Ext":{"reviewed":"yes"},"Content":"{\"text\":\"edited\"}"}"#)
        XCTAssertTrue(req.headers["authorization"]!.hasPrefix("HMAC-SHA256 Credential=AKLTexample/20240601/cn-north-1/rtc/request, "))
        XCTAssertEqual(req.headers["x-date"], "20240601T123456Z")
    }

    func testVolcengine429ThenSuccess() throws {
        server.calls(Reply(status: 429, body: volc429), Reply(status: 200, body: volcOK))
        XCTAssertEqual(try volcengine().modifyMessage(edit).action, "ModifyMessage")
        XCTAssertEqual(server.seen.count, 2)
        XCTAssertEqual(clock.sleeps, [100], "full jitter: 0.5 × 200 ms")
    }

    func testVolcengineWaitsForTheRateLimiter() throws {
        server.calls(Reply(status: 200, body: volcOK), Reply(status: 200, body: volcOK), Reply(status: 200, body: volcOK))
        let client = try volcengine(limiter: RateLimiter.volcengineModifyMessage())
        for _ in 0..<3 { _ = try client.modifyMessage(edit) }
        XCTAssertEqual(clock.sleeps, [20, 20])
    }

    func testVolcengineGatewayHtml502() throws {
        for _ in 0..<3 { server.calls(Reply(status: 502, body: gateway502, contentType: "text/html")) }
        let e = try XCTUnwrap(code { try self.volcengine().modifyMessage(self.edit) })
        XCTAssertEqual(e.code(), "malformed_response")
        XCTAssertEqual(e.retryAdvice(), .retry)
        XCTAssertEqual(e.httpStatus(), 502)
        XCTAssertEqual(server.seen.count, 3)
    }

    func testTransportFailure() throws {
        let dead = try VolcengineClient(credentials: try Credentials(accessKeyId: "AKLTexample", secretAccessKey: "c2VjcmV0"),
                                        endpoint: try Endpoint(region: "cn-north-1", host: "http://127.0.0.1:9"),
                                        limiter: unlimited(), clock: clock)
        let e = try XCTUnwrap(code { try dead.modifyMessage(self.edit) })
        XCTAssertEqual(e.code(), "transport")
        XCTAssertEqual(e.fault(), .network)
        XCTAssertEqual(clock.sleeps.count, 2)
    }

    func testEasemobSuccessFetchesTheTokenOnce() throws {
        server.token(emToken("YWMtFirst"))
        server.calls(Reply(status: 200, body: emOK), Reply(status: 200, body: emOK))
        let client = try easemob()
        XCTAssertEqual(try client.rewrite(rewrite).duration, 49)
        XCTAssertEqual(try client.rewrite(rewrite).action, "put")
        XCTAssertEqual(server.seen.map { "\($0.method) \($0.path)" },
                       ["POST /org/app/token", "PUT /org/app/messages/rewrite/1235807318835202004", "PUT /org/app/messages/rewrite/1235807318835202004"])
        XCTAssertEqual(server.seen[1].headers["authorization"], "Bearer YWMtFirst")
    }

    func testEasemobTokenErrorRefreshesOnce() throws {
        server.token(emToken("YWMtFirst"), emToken("YWMtSecond"))
        server.calls(Reply(status: 401, body: emExpired), Reply(status: 200, body: emOK))
        XCTAssertEqual(try easemob().rewrite(rewrite).path, "/messages/rewrite/1235807318835202004")
        XCTAssertEqual(server.seen.map { $0.method }, ["POST", "PUT", "POST", "PUT"])
        XCTAssertEqual(server.seen[3].headers["authorization"], "Bearer YWMtSecond")
        XCTAssertEqual(clock.sleeps, [])
    }

    func testEasemob429ThenSuccess() throws {
        server.token(emToken("YWMtFirst"))
        server.calls(Reply(status: 429, body: em429), Reply(status: 200, body: emOK))
        _ = try easemob().rewrite(rewrite)
        XCTAssertEqual(server.seen.map { $0.method }, ["POST", "PUT", "PUT"])
        XCTAssertEqual(clock.sleeps.count, 1)
    }

    func testEasemobPermission401DoesNotRefresh() throws {
        server.token(emToken("YWMtFirst"))
        server.calls(Reply(status: 401, body: emNotAuthorized))
        let client = try easemob()
        let e = try XCTUnwrap(code { try client.rewrite(self.rewrite) })
        XCTAssertEqual(e.code(), "permission_denied")
        XCTAssertEqual(server.seen.map { $0.method }, ["POST", "PUT"])
        XCTAssertEqual(client.tokens.token()?.value(), "YWMtFirst")
    }

    func testEasemobGatewayHtml502() throws {
        server.token(emToken("YWMtFirst"))
        server.calls(Reply(status: 502, body: gateway502, contentType: "text/html"), Reply(status: 200, body: emOK))
        _ = try easemob().rewrite(rewrite)
        XCTAssertEqual(server.seen.map { $0.method }, ["POST", "PUT", "PUT"])
    }

    func testConcurrentCallsShareOneTokenFetch() throws {
        server.token(emToken("YWMtShared", delayMs: 300))
        for _ in 0..<6 { server.calls(Reply(status: 200, body: emOK)) }
        let client = try easemob(clock: SystemClock())
        let group = DispatchGroup()
        let outcomes = Outcomes()
        for _ in 0..<6 {
            group.enter()
            Thread {
                outcomes.add((try? client.rewrite(self.rewrite))?.action ?? "failed")
                group.leave()
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 20), .success)
        XCTAssertEqual(outcomes.all, Array(repeating: "put", count: 6))
        XCTAssertEqual(server.seen.filter { $0.method == "POST" }.count, 1, "one token request in flight")
    }
}
