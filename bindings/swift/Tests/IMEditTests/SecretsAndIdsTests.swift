// Secrets never printed, CR/LF/NUL refused, 64-bit ids exact.
import Foundation
import XCTest
@testable import IMEdit

final class SecretsAndIdsTests: XCTestCase {
    let secretKey = "c2VjcmV0U0VDUkVUS0VZ"
    let sessionToken = "STSsessionTOKENvalue"
    let clientSecret = "YXA6clientSECRETvalue"
    let appToken = "YWMtAPPtokenVALUE"
    let agoraToken = "007agoraTOKENvalue"
    var secrets: [String] { [secretKey, sessionToken, clientSecret, appToken, agoraToken] }

    func assertRedacted(_ what: String, _ value: Any, file: StaticString = #filePath, line: UInt = #line) {
        for text in [String(describing: value), String(reflecting: value), "\(value)"] {
            for s in secrets where text.contains(s) {
                XCTFail("\(what) prints a secret: \(text)", file: file, line: line)
            }
        }
    }

    func refused(_ what: String, _ block: () throws -> Any) -> ImeditError? {
        do {
            _ = try block()
            XCTFail("\(what): accepted")
            return nil
        } catch let e as ImeditError {
            guard case .InvalidInput = e else { XCTFail("\(what): \(e)"); return e }
            return e
        } catch {
            XCTFail("\(what): \(error)")
            return nil
        }
    }

    func testSecretsNeverPrinted() throws {
        let settings = try Settings(baseUrl: "https://a1.easemob.com", orgName: "org", appName: "app")
        let creds = try Credentials.withSessionToken(accessKeyId: "AKLTexample", secretAccessKey: secretKey, sessionToken: sessionToken)
        let signer = Signer(credentials: creds)
        let edit = ModifyMessage(appId: 1, conversationShortId: 2, messageId: 3, ext: [KeyValue(key: "k", value: "v")])
        let signed = try signer.modifyMessage(endpoint: try Endpoint(), params: edit, time: 1_717_245_296)
        let request = signed.request()
        let stages = signed.stages()
        XCTAssertEqual(request.header(name: "X-Security-Token"), sessionToken)
        XCTAssertFalse(String(reflecting: stages).contains(stages.signingKeyHex()))
        let clientCreds = try ClientCredentials(clientId: "YXA6clientid", clientSecret: clientSecret)
        let tokenRequest = try buildTokenRequest(settings: settings, credentials: clientCreds, policy: TokenPolicy(unit: .seconds))
        XCTAssertTrue(tokenRequest.bodyText()!.contains(clientSecret))
        let token = AppToken(value: appToken, issuedAt: 1_700_000_000, expiresAt: 1_700_007_200)
        let rewrite = try buildRewriteRequest(settings: settings, token: token, edit: RewriteMessage(messageId: "1", kind: .text, msg: "x", extMode: .merge))
        XCTAssertEqual(rewrite.header(name: "Authorization"), "Bearer \(appToken)")
        let reply = HttpResponse(status: 200, body: Data(#"{"access_token":"\#(appToken)","expires_in":7200}"#.utf8))
        let cache = TokenCache(settings: settings, source: TokenSource.clientCredentials(credentials: clientCreds), policy: TokenPolicy(unit: .seconds))
        let fetch = try cache.poll(now: 1_700_000_000)
        let stored = try cache.onResponse(response: reply, now: 1_700_000_000)
        let use = try cache.poll(now: 1_700_000_001)
        let refresh = try cache.poll(now: 1_700_005_000)
        guard case .refresh = refresh else { return XCTFail("\(refresh)") }
        let printed: [(String, Any)] = [
            ("Credentials", creds), ("Signer", signer), ("SignedRequest", signed), ("SigningStages", stages),
            ("HttpRequest", request), ("headers", request.headers), ("curl", request.toCurl(revealSecrets: false)),
            ("ClientCredentials", clientCreds), ("token request", tokenRequest), ("token curl", tokenRequest.toCurl(revealSecrets: false)),
            ("AppToken", token), ("rewrite request", rewrite), ("rewrite curl", rewrite.toCurl(revealSecrets: false)),
            ("token reply", reply), ("TokenCache", cache), ("fetch", fetch), ("stored", stored), ("use", use), ("refresh", refresh),
            ("TokenSource", TokenSource.agoraToken(agoraToken: agoraToken)),
            ("agora request", try buildAgoraTokenExchangeRequest(settings: settings, agoraToken: agoraToken)),
            ("VolcengineClient", try VolcengineClient(credentials: creds)),
            ("EasemobClient", EasemobClient(settings: settings, source: TokenSource.agoraToken(agoraToken: agoraToken))),
        ]
        for (what, value) in printed { assertRedacted(what, value) }
        XCTAssertTrue(request.toCurl(revealSecrets: true).contains(sessionToken))
    }

    func testErrorsMadeWithSecretsDoNotPrintThem() throws {
        let settings = try Settings(baseUrl: "https://a1.easemob.com", orgName: "org", appName: "app")
        let errors = [
            refused("session token") { try Credentials.withSessionToken(accessKeyId: "AK", secretAccessKey: self.secretKey, sessionToken: self.sessionToken + "\n") },
            refused("client secret") { try ClientCredentials(clientId: "id", clientSecret: self.clientSecret + "\0") },
            refused("app token") {
                try buildRewriteRequest(settings: settings, token: AppToken(value: self.appToken + "\r", issuedAt: 0),
                                        edit: RewriteMessage(messageId: "1", kind: .text, msg: "x", extMode: .merge))
            },
            refused("agora token") { try buildAgoraTokenExchangeRequest(settings: settings, agoraToken: self.agoraToken + "\n") },
        ]
        for e in errors.compactMap({ $0 }) {
            XCTAssertEqual(e.code(), "invalid_input")
            assertRedacted("error", e)
            assertRedacted("error text", e.describe())
            assertRedacted("localized", e.localizedDescription)
        }
    }

    func testCrLfNulRefused() throws {
        let settings = try Settings(baseUrl: "https://a1.easemob.com", orgName: "org", appName: "app")
        for bad in ["a\rb", "a\nb", "a\0b"] {
            _ = refused("access key") { try Credentials(accessKeyId: bad, secretAccessKey: self.secretKey) }
            _ = refused("session token") { try Credentials.withSessionToken(accessKeyId: "AK", secretAccessKey: self.secretKey, sessionToken: bad) }
            _ = refused("client secret") { try ClientCredentials(clientId: "id", clientSecret: bad) }
            _ = refused("client id") { try ClientCredentials(clientId: bad, clientSecret: self.clientSecret) }
            _ = refused("agora token") { try buildAgoraTokenExchangeRequest(settings: settings, agoraToken: bad) }
            _ = refused("app token") {
                try buildRewriteRequest(settings: settings, token: AppToken(value: bad, issuedAt: 0), edit: RewriteMessage(messageId: "1", kind: .text, msg: "x", extMode: .merge))
            }
            _ = refused("header value") {
                try sign(credentials: try Credentials(accessKeyId: "AK", secretAccessKey: self.secretKey),
                         request: SignableRequest(method: "POST", scheme: .https, host: "open.volcengineapi.com", headers: [KeyValue(key: "X-Custom", value: bad)]),
                         params: SigningParams(region: "cn-north-1", service: "rtc", time: 1_717_245_296))
            }
            _ = refused("host") { try Endpoint(region: "cn-north-1", host: "rtc\(bad).example.com") }
            _ = refused("org") { try Settings(baseUrl: "https://a1.easemob.com", orgName: bad, appName: "app") }
        }
    }

    func testIds64BitExact() throws {
        let settings = try Settings(baseUrl: "https://a1.easemob.com", orgName: "org", appName: "app")
        let signer = Signer(credentials: try Credentials(accessKeyId: "AKLTexample", secretAccessKey: secretKey))
        for id: Int64 in [1, 9_007_199_254_740_993, Int64.max] {
            let body = try signer.modifyMessageRequest(endpoint: try Endpoint(), params: ModifyMessage(appId: id, conversationShortId: id, messageId: id, ext: [KeyValue(key: "k", value: "v")]), time: 1_717_245_296).bodyText()
            XCTAssertEqual(body, #"{"AppId":\#(id),"ConversationShortId":\#(id),"MessageId":\#(id),"Ext":{"k":"v"}}"#)
            XCTAssertEqual(try parseId(field: "message_id", decimal: String(id)), id)
            XCTAssertEqual(try parseMessageId(messageId: String(id)), id)
            let url = try buildRewriteRequest(settings: settings, token: AppToken(value: appToken, issuedAt: 0), edit: RewriteMessage(messageId: String(id), kind: .text, msg: "x", extMode: .merge)).url
            XCTAssertTrue(url.hasSuffix("/messages/rewrite/\(id)"), url)
        }
        let zero = refused("id 0") {
            try signer.modifyMessageRequest(endpoint: try Endpoint(), params: ModifyMessage(appId: 0, conversationShortId: 1, messageId: 1, ext: [KeyValue(key: "k", value: "v")]), time: 1_717_245_296)
        }
        if case let .InvalidInput(field, _)? = zero { XCTAssertEqual(field, "app_id") }
        _ = refused("above i64") { try parseId(field: "message_id", decimal: "9223372036854775808") }
        _ = refused("fraction") { try parseId(field: "message_id", decimal: "9007199254740993.0") }
        let outcome = try parseRewriteResponse(response: HttpResponse(status: 200, body: Data(#"{"timestamp":9007199254740993,"duration":1,"data":"success"}"#.utf8)))
        XCTAssertEqual(outcome.timestamp, 9_007_199_254_740_993)
    }

    func testErrorCodes() {
        XCTAssertEqual(errorCodes().count, 25)
        let e = ImeditError.Transport(reason: "connection reset")
        XCTAssertEqual(e.code(), "transport")
        XCTAssertEqual(e.retryAdvice(), .retry)
    }
}
