// Runs the shared vectors of tests/vectors/ (or of $IMEDIT_VECTORS) against the Swift API, with the
// same logic as the Rust runner (tests/vectors.rs).
import Foundation
import XCTest
@testable import IMEdit

struct Mismatch: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

final class VectorsTests: XCTestCase {
    typealias Check = (JSON) throws -> Void

    var operations: [(String, Check)] {
        [
            ("volcengine/sign", sign),
            ("volcengine/modify_message", modifyMessage),
            ("volcengine/response", volcengineResponse),
            ("easemob/token", easemobToken),
            ("easemob/rewrite_message", easemobRewrite),
            ("easemob/response", easemobResponse),
            ("ext/merge", extMerge),
        ]
    }

    static func root() -> URL {
        if let dir = ProcessInfo.processInfo.environment["IMEDIT_VECTORS"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        // Tests/IMEditTests/VectorsTests.swift → the repository's tests/vectors.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/vectors")
    }

    func testSharedVectors() throws {
        let root = Self.root()
        let fm = FileManager.default
        var failures: [String] = []
        var total = 0
        checkLayout(root, &failures)
        for (operation, check) in operations {
            let dir = root.appendingPathComponent(operation)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
                print("\(operation): folder absent, skipped")
                continue
            }
            let files = try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
            if files.isEmpty { failures.append("\(operation): no vector files") }
            for file in files {
                let name = "\(operation)/\(file)"
                do {
                    let data = try Data(contentsOf: dir.appendingPathComponent(file))
                    try check(try JSON.parse(data))
                } catch {
                    failures.append("\(name): \(error)")
                }
            }
            print("\(operation): \(files.count) vector files checked")
            total += files.count
        }
        print("\(total) vector files checked in \(root.path)")
        XCTAssert(failures.isEmpty, "\(failures.count) failing vectors:\n" + failures.joined(separator: "\n"))
    }

    /// Unknown folders or files are failures (README files are welcome).
    func checkLayout(_ root: URL, _ failures: inout [String]) {
        let fm = FileManager.default
        func isDir(_ u: URL) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: u.path, isDirectory: &d) && d.boolValue
        }
        for api in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] {
            let apiURL = root.appendingPathComponent(api)
            if !isDir(apiURL) || api == "generate" { continue }
            for op in (try? fm.contentsOfDirectory(atPath: apiURL.path)) ?? [] {
                let opURL = apiURL.appendingPathComponent(op)
                let rel = "\(api)/\(op)"
                guard isDir(opURL) else { continue }
                if !operations.contains(where: { $0.0 == rel }) {
                    failures.append("\(rel): unknown operation folder")
                    continue
                }
                for f in (try? fm.contentsOfDirectory(atPath: opURL.path)) ?? [] where !f.hasSuffix(".json") && f != "README.md" {
                    failures.append("\(rel)/\(f): unknown file")
                }
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    func field(_ v: JSON, _ key: String) throws -> JSON {
        guard let f = v[key] else { throw Mismatch("missing `\(key)`") }
        return f
    }

    func text(_ v: JSON, _ key: String) throws -> String {
        guard let s = try field(v, key).string else { throw Mismatch("`\(key)` is not a string") }
        return s
    }

    func optText(_ v: JSON, _ key: String) -> String? { v[key]?.string }

    func pairs(_ v: JSON) throws -> [KeyValue] {
        switch v {
        case let .object(items):
            return try items.map { k, value in
                guard let s = value.string else { throw Mismatch("`\(k)` is not a string") }
                return KeyValue(key: k, value: s)
            }
        case let .array(items):
            return try items.map { p in
                guard case let .array(kv) = p, kv.count == 2, let k = kv[0].string, let val = kv[1].string else {
                    throw Mismatch("not a [name, value] pair: \(p.serialized)")
                }
                return KeyValue(key: k, value: val)
            }
        default: throw Mismatch("not a map: \(v.serialized)")
        }
    }

    func optPairs(_ v: JSON, _ key: String) throws -> [KeyValue]? {
        guard let f = v[key], !f.isNull else { return nil }
        return try pairs(f)
    }

    func eq<T: Equatable>(_ what: String, _ got: T, _ want: T) throws {
        if got != want { throw Mismatch("\(what):\n   got \(got)\n  want \(want)") }
    }

    /// JSON equality that also checks key order.
    func sameJSON(_ what: String, _ got: JSON, _ want: JSON) throws {
        try eq(what, got.serialized, want.serialized)
    }

    func requestJSON(_ r: HttpRequest) -> JSON {
        .object([
            ("method", .string(r.method)),
            ("url", .string(r.url)),
            ("headers", .array(r.headers.map { .array([.string($0.name), .string($0.value)]) })),
            ("body", .string(r.bodyText() ?? "<not utf-8>")),
        ])
    }

    func j(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    func j<N: BinaryInteger>(_ n: N?) -> JSON { n.map { .number(String($0)) } ?? .null }

    /// Compares a build result with `expected.request` or `expected.error`.
    func built(_ expected: JSON, _ build: () throws -> HttpRequest) throws {
        let result: Result<HttpRequest, ImeditError>
        do { result = .success(try build()) } catch let e as ImeditError { result = .failure(e) }
        switch (expected["request"], expected["error"], result) {
        case let (want?, _, .success(got)): try sameJSON("request", requestJSON(got), want)
        case let (_, want?, .failure(got)): try refusal(want, got)
        case let (.some, _, .failure(got)): throw Mismatch("expected a request, got the error \(got.describe())")
        case let (_, want?, .success(got)): throw Mismatch("expected the error \(want.serialized), got the request \(got)")
        default: throw Mismatch("`expected` has neither `request` nor `error`")
        }
    }

    func refusal(_ want: JSON, _ got: ImeditError) throws {
        try eq("error code", got.code(), try text(want, "code"))
        if let field = optText(want, "field") {
            guard case let .InvalidInput(f, _) = got else { throw Mismatch("expected field \(field), got \(got.describe())") }
            try eq("error field", f, field)
        }
    }

    /// Compares a parse error with `expected.error`: every listed field must match.
    func parsedError(_ want: JSON, _ got: ImeditError) throws {
        var api: (vendorCode: String?, vendorCodeN: UInt64?, exception: String?, message: String?, requestId: String?, timestamp: Int64?, duration: Int64?)
            = (nil, nil, nil, nil, nil, nil, nil)
        if case let .Api(_, _, _, vendorCode, vendorCodeN, exception, vendorMessage, requestId, timestamp, duration, _) = got {
            api = (vendorCode, vendorCodeN, exception, vendorMessage, requestId, timestamp, duration)
        }
        let actual: [(String, JSON)] = [
            ("code", .string(got.code())),
            ("retry", .string(got.retryAdvice().asStr())),
            ("status", j(got.httpStatus())),
            ("vendor_code", j(api.vendorCode)),
            ("vendor_code_n", j(api.vendorCodeN)),
            ("exception", j(api.exception)),
            ("message", j(api.message)),
            ("request_id", j(api.requestId)),
            ("timestamp", j(api.timestamp)),
            ("duration", j(api.duration)),
        ]
        guard case let .object(wanted) = want else { throw Mismatch("`error` is not an object") }
        for (key, value) in wanted {
            guard let got = actual.first(where: { $0.0 == key })?.1 else { throw Mismatch("unknown error field `\(key)`") }
            try sameJSON("error.\(key)", got, value)
        }
    }

    func response(_ input: JSON) throws -> HttpResponse {
        guard let status = try field(input, "status").int else { throw Mismatch("status") }
        var headers: [HttpHeader] = []
        if let h = input["headers"], !h.isNull {
            headers = try pairs(h).map { HttpHeader(name: $0.key, value: $0.value) }
        }
        return HttpResponse(status: UInt16(status), headers: headers, body: Data(try text(input, "body").utf8))
    }

    func parsed<T>(_ expected: JSON, _ parse: () throws -> T, _ toJSON: (T) -> JSON) throws {
        let result: Result<T, ImeditError>
        do { result = .success(try parse()) } catch let e as ImeditError { result = .failure(e) }
        switch (expected["ok"], expected["error"], result) {
        case let (want?, _, .success(got)): try sameJSON("ok", toJSON(got), want)
        case let (_, want?, .failure(got)): try parsedError(want, got)
        case let (.some, _, .failure(got)): throw Mismatch("expected success, got \(got.describe())")
        case let (_, want?, .success(got)): throw Mismatch("expected the error \(want.serialized), got \(toJSON(got).serialized)")
        default: throw Mismatch("`expected` has neither `ok` nor `error`")
        }
    }

    func volcCredentials(_ input: JSON) throws -> Credentials {
        let ak = optText(input, "access_key_id") ?? ""
        let sk = optText(input, "secret_access_key") ?? ""
        if let token = optText(input, "session_token") {
            return try Credentials.withSessionToken(accessKeyId: ak, secretAccessKey: sk, sessionToken: token)
        }
        return try Credentials(accessKeyId: ak, secretAccessKey: sk)
    }

    // ---- volcengine --------------------------------------------------------------------------

    func sign(_ c: JSON) throws {
        let input = try field(c, "input")
        let expected = try field(c, "expected")
        let request = SignableRequest(
            method: try text(input, "method"), scheme: .https, host: try text(input, "host"),
            path: try text(input, "path"), query: try pairs(try field(input, "query")),
            headers: try pairs(try field(input, "headers")), body: Data(try text(input, "body").utf8))
        var signedHeaders: [String]? = nil
        switch input["signed_headers"] {
        case nil, .null?: break
        case let .array(items)?: signedHeaders = items.compactMap { $0.string }
        case let other?: throw Mismatch("signed_headers: \(other.serialized)")
        }
        guard let time = input["time"]?.uint64 else { throw Mismatch("time") }
        let params = SigningParams(region: try text(input, "region"), service: try text(input, "service"), time: time, signedHeaders: signedHeaders)
        let creds: Credentials
        let cold: SignedRequest
        do {
            creds = try volcCredentials(input)
            cold = try IMEdit.sign(credentials: creds, request: request, params: params)
        } catch let e as ImeditError { throw Mismatch(e.describe()) }
        // Both entry points must agree: the one-shot signer and the caching signer (twice).
        let signer = Signer(credentials: creds)
        for signed in [cold, try signer.sign(request: request, params: params), try signer.sign(request: request, params: params)] {
            let s = signed.stages()
            try eq("canonical_request", s.canonicalRequest(), try text(expected, "canonical_request"))
            try eq("string_to_sign", s.stringToSign(), try text(expected, "string_to_sign"))
            if let key = optText(expected, "signing_key") { try eq("signing_key", s.signingKeyHex(), key) }
            try eq("signature", s.signature(), try text(expected, "signature"))
            try eq("authorization", s.authorization(), try text(expected, "authorization"))
            let req = signed.request()
            try eq("Authorization header", req.header(name: "Authorization"), s.authorization())
            for h in try pairs(try field(expected, "headers")) {
                try eq("header \(h.key)", req.header(name: h.key), h.value)
            }
            let lines = s.canonicalRequest().split(separator: "\n", omittingEmptySubsequences: false)
            let queryLine = lines.count > 2 ? String(lines[2]) : ""
            let urlQuery = req.url.firstIndex(of: "?").map { String(req.url[req.url.index(after: $0)...]) } ?? ""
            try eq("URL query", urlQuery, queryLine)
        }
    }

    func modifyMessage(_ c: JSON) throws {
        let input = try field(c, "input")
        let expected = try field(c, "expected")
        try built(expected) {
            guard let params = input["params"] else { throw ImeditError.Transport(reason: "missing `params`") }
            func id(_ key: String) throws -> Int64 { try parseId(field: key, decimal: optText(params, key) ?? "") }
            let edit = ModifyMessage(
                appId: try id("app_id"), conversationShortId: try id("conversation_short_id"), messageId: try id("message_id"),
                ext: try optPairs(params, "ext") ?? [], content: optText(params, "content"))
            let endpoint = try Endpoint(region: optText(input, "region") ?? "", host: optText(input, "host"))
            let creds = try volcCredentials(input)
            let time = input["time"]?.uint64 ?? 0
            let cold = try buildModifyMessageRequest(credentials: creds, endpoint: endpoint, params: edit, time: time).request()
            let cached = try Signer(credentials: creds).modifyMessage(endpoint: endpoint, params: edit, time: time).request()
            try eq("cached signer request", requestJSON(cached).serialized, requestJSON(cold).serialized)
            return cold
        }
    }

    func meta(_ m: ResponseMetadata) -> [(String, JSON)] {
        [("request_id", .string(m.requestId)), ("action", .string(m.action)), ("version", .string(m.version)),
         ("service", .string(m.service)), ("region", .string(m.region))]
    }

    func volcengineResponse(_ c: JSON) throws {
        let input = try field(c, "input")
        let expected = try field(c, "expected")
        let reply = try response(input)
        switch try text(input, "operation") {
        case "modify_message":
            try parsed(expected, { try parseModifyMessageResponse(response: reply) }) { .object(self.meta($0)) }
        case "openapi":
            try parsed(expected, { try parseOpenapiResponse(response: reply) }) { r in
                // `result` is the raw text of `Result`; the vector holds it as a string.
                .object(self.meta(r.metadata) + [("result", self.j(r.result))])
            }
        case let other: throw Mismatch("unknown operation \(other)")
        }
    }

    // ---- easemob ------------------------------------------------------------------------------

    func settings(_ input: JSON) throws -> Settings {
        try Settings.withOptions(
            baseUrl: optText(input, "base_url") ?? "", orgName: optText(input, "org_name"),
            appName: optText(input, "app_name"), appKey: optText(input, "app_key"),
            allowHttp: input["allow_http"]?.bool ?? false)
    }

    func unit(_ input: JSON) throws -> IMEdit.TimeUnit {
        switch optText(input, "unit") {
        case nil, "seconds"?: return .seconds
        case "milliseconds"?: return .milliseconds
        case let other?: throw Mismatch("unknown unit \(other)")
        }
    }

    func easemobToken(_ c: JSON) throws {
        let input = try field(c, "input")
        let expected = try field(c, "expected")
        let policy = TokenPolicy(ttl: input["ttl"]?.uint64, unit: try unit(input))
        try built(expected) {
            let s = try settings(input)
            if optText(input, "grant") == "agora" {
                return try buildAgoraTokenExchangeRequest(settings: s, agoraToken: optText(input, "agora_token") ?? "")
            }
            let creds = try ClientCredentials(clientId: optText(input, "client_id") ?? "", clientSecret: optText(input, "client_secret") ?? "")
            return try buildTokenRequest(settings: s, credentials: creds, policy: policy)
        }
    }

    func easemobRewrite(_ c: JSON) throws {
        let input = try field(c, "input")
        let expected = try field(c, "expected")
        let edit = try field(input, "edit")
        try built(expected) {
            let settings = try settings(input)
            let kind = try messageKindFromName(name: optText(edit, "type") ?? "")
            let e = RewriteMessage(
                messageId: optText(input, "message_id") ?? "", kind: kind, msg: optText(edit, "msg"),
                customEvent: optText(edit, "custom_event"), customExts: try optPairs(edit, "custom_exts"),
                newExt: try optPairs(edit, "new_ext"), extMode: optText(edit, "ext_mode") == "replace" ? .replace : .merge,
                user: optText(edit, "user"))
            return try buildRewriteRequest(settings: settings, token: AppToken(value: optText(input, "token") ?? "", issuedAt: 0), edit: e)
        }
    }

    func easemobResponse(_ c: JSON) throws {
        let input = try field(c, "input")
        let expected = try field(c, "expected")
        let reply = try response(input)
        let now = input["now"]?.uint64 ?? 0
        let policy = TokenPolicy(unit: try unit(input), refreshMargin: input["refresh_margin"]?.uint64 ?? 300)
        let token: (AppToken) -> JSON = { t in
            .object([("token", .string(t.value())), ("issued_at", self.j(t.issuedAt())), ("expires_at", self.j(t.expiresAt())),
                     ("refresh_at", self.j(t.refreshAt())), ("application", self.j(t.application()))])
        }
        switch try text(input, "operation") {
        case "rewrite_message":
            try parsed(expected, { try parseRewriteResponse(response: reply) }) { o in
                .object([("path", self.j(o.path)), ("uri", self.j(o.uri)), ("timestamp", self.j(o.timestamp)),
                         ("organization", self.j(o.organization)), ("application", self.j(o.application)),
                         ("application_name", self.j(o.applicationName)), ("action", self.j(o.action)),
                         ("duration", self.j(o.duration))])
            }
        case "token": try parsed(expected, { try parseTokenResponse(response: reply, now: now, policy: policy) }, token)
        case "agora_token_exchange":
            try parsed(expected, { try parseAgoraTokenExchangeResponse(response: reply, now: now, policy: policy) }, token)
        case let other: throw Mismatch("unknown operation \(other)")
        }
    }

    // ---- ext ------------------------------------------------------------------------------------

    func extMerge(_ c: JSON) throws {
        let input = try field(c, "input")
        let mode: ExtMode
        switch try text(input, "mode") {
        case "merge": mode = .merge
        case "replace": mode = .replace
        case let other: throw Mismatch("unknown mode \(other)")
        }
        let result = mergeExt(current: try pairs(try field(input, "current")), patch: try pairs(try field(input, "patch")), mode: mode)
        let got = JSON.object(result.map { ($0.key, .string($0.value)) })
        try sameJSON("result", got, try field(try field(c, "expected"), "result"))
    }
}
