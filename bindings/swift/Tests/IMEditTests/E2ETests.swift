// The shared end-to-end scenario (tests/e2e/scenario.json, format in its README) against a fresh
// `imedit emulator` process, with this package's URLSession clients.
import Foundation
import XCTest
@testable import IMEdit

final class E2ETests: XCTestCase {
    static var repo: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func testSharedScenario() throws {
        let env = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        let binPath = env["IMEDIT_BIN"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.repo.appendingPathComponent("target/debug/imedit").path
        guard fm.isExecutableFile(atPath: binPath) else {
            throw XCTSkip("no emulator binary at \(binPath): build it with `cargo build -p imedit-cli` or set IMEDIT_BIN")
        }
        let scenarioURL = env["IMEDIT_E2E_SCENARIO"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? Self.repo.appendingPathComponent("tests/e2e/scenario.json")
        let scenario = try JSON.parse(try Data(contentsOf: scenarioURL))
        XCTAssertEqual(scenario["format"]?.int, 1)
        let seed = scenarioURL.deletingLastPathComponent().appendingPathComponent(scenario["seed"]!.string!)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binPath)
        process.arguments = ["emulator", "--port", "0", "--seed", seed.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        var line = Data()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { throw Mismatch("the emulator exited before printing its URL") }
            if byte == Data([0x0a]) { break }
            line.append(byte)
        }
        let base = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        try Runner(scenario: scenario, base: base).run()
    }
}

private final class Runner {
    let scenario: JSON
    let base: String
    let org: String
    let app: String
    let transport = URLSessionTransport()
    let easemob: EasemobClient
    let volcengine: VolcengineClient

    init(scenario: JSON, base: String) throws {
        self.scenario = scenario
        self.base = base
        let em = scenario["easemob"]!
        let volc = scenario["volcengine"]!
        let rp = scenario["retry_policy"]!
        org = em["org_name"]!.string!
        app = em["app_name"]!.string!
        let policy = RetryPolicy(maxAttempts: UInt32(rp["max_attempts"]!.int!), baseDelayMs: rp["base_delay_ms"]!.uint64!, maxDelayMs: rp["max_delay_ms"]!.uint64!)
        easemob = EasemobClient(
            settings: try Settings.withOptions(baseUrl: base, orgName: org, appName: app, allowHttp: true),
            source: TokenSource.clientCredentials(credentials: try ClientCredentials(clientId: em["client_id"]!.string!, clientSecret: em["client_secret"]!.string!)),
            policy: TokenPolicy(ttl: em["token_ttl"]!.uint64!, unit: .seconds),
            transport: transport, retryPolicy: policy)
        volcengine = try VolcengineClient(
            credentials: try Credentials(accessKeyId: volc["access_key_id"]!.string!, secretAccessKey: volc["secret_access_key"]!.string!),
            endpoint: try Endpoint(region: volc["region"]!.string!, host: base),
            transport: transport, retryPolicy: policy)
    }

    func run() throws {
        var counts: [String: Int] = [:]
        defer { _ = try? send("POST", "/_emulator/shutdown", nil) }
        guard case let .array(steps)? = scenario["steps"] else { throw Mismatch("no steps") }
        for step in steps {
            let id = step["id"]!.string!
            let op = step["op"]!.string!
            do {
                switch op {
                case "admin": try admin(step)
                case "easemob.token": try outcome(step["expect"]!) { _ = try self.easemob.token() }
                case "easemob.rewrite": try outcome(step["expect"]!) { _ = try self.easemob.rewrite(try self.rewriteOf(step)) }
                case "easemob.burst": try burst(step)
                case "easemob.read_message":
                    try read("/_emulator/easemob/apps/\(org)/\(app)/messages/\(step["message_id"]!.string!)", step["expect"]!)
                case "volcengine.modify_message": try outcome(step["expect"]!) { _ = try self.volcengine.modifyMessage(try self.modifyOf(step["params"]!)) }
                case "volcengine.read_message":
                    try read("/_emulator/volcengine/messages/\(step["app_id"]!.string!)/\(step["conversation_short_id"]!.string!)/\(step["message_id"]!.string!)", step["expect"]!)
                default: throw Mismatch("unknown op \(op)")
                }
            } catch {
                throw Mismatch("e2e step `\(id)` (\(op)) failed: \(error)")
            }
            print("ok  \(id)")
            counts[op, default: 0] += 1
        }
        let total = counts.values.reduce(0, +)
        print("e2e scenario: \(total) steps passed (\(counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", ")))")
    }

    func send(_ method: String, _ path: String, _ body: JSON?) throws -> (Int, String) {
        var headers: [HttpHeader] = []
        var data = Data()
        if let body = body {
            headers.append(HttpHeader(name: "Content-Type", value: "application/json"))
            data = Data(body.serialized.utf8)
        }
        let reply = try transport.send(HttpRequest(method: method, url: base + path, headers: headers, body: data, bodySensitive: false))
        return (Int(reply.status), String(decoding: reply.body, as: UTF8.self))
    }

    func admin(_ step: JSON) throws {
        let (status, body) = try send(step["method"]!.string!, step["path"]!.string!, step["body"])
        let expect = step["expect"]
        let wantStatus = expect?["status"]?.int ?? 200
        if status != wantStatus { throw Mismatch("status \(status), expected \(wantStatus): \(body)") }
        if let want = expect?["json"] {
            let got = try JSON.parse(Data(body.utf8))
            if !contains(got, want) { throw Mismatch("reply \(got.serialized) does not contain \(want.serialized)") }
        }
    }

    func read(_ path: String, _ expect: JSON) throws {
        let (status, body) = try send("GET", path, nil)
        if status != 200 { throw Mismatch("status \(status): \(body)") }
        let got = try JSON.parse(Data(body.utf8))
        guard case let .object(fields) = expect else { throw Mismatch("expect is not an object") }
        for (key, want) in fields {
            guard let value = got[key] else { throw Mismatch("no `\(key)` in \(got.serialized)") }
            let same = key == "ext" ? value.serialized == want.serialized : jsonEquals(value, want)
            if !same { throw Mismatch("`\(key)` is \(value.serialized), expected \(want.serialized)") }
        }
    }

    func burst(_ step: JSON) throws {
        let token = try easemob.token()
        let edit = try rewriteOf(step)
        var ok = 0
        var errors: [String: Int] = [:]
        for _ in 0..<(step["count"]!.int!) {
            do {
                _ = try parseRewriteResponse(response: transport.send(buildRewriteRequest(settings: easemob.settings, token: token, edit: edit)))
                ok += 1
            } catch let e as ImeditError {
                errors[e.code(), default: 0] += 1
            }
        }
        let want = step["expect"]!
        var wantErrors: [String: Int] = [:]
        if case let .object(items)? = want["errors"] { for (k, v) in items { wantErrors[k] = v.int! } }
        if ok != want["ok"]!.int! || errors != wantErrors {
            throw Mismatch("ok \(ok), errors \(errors); expected \(want.serialized)")
        }
    }

    func outcome(_ expect: JSON, _ call: () throws -> Void) throws {
        var failure: ImeditError? = nil
        do { try call() } catch let e as ImeditError { failure = e }
        if expect["ok"] != nil {
            if let e = failure { throw Mismatch("expected success, got \(e.describe())") }
            return
        }
        guard case let .object(want)? = expect["error"] else { throw Mismatch("`expect` has neither ok nor error") }
        guard let e = failure else { throw Mismatch("expected the error \(expect.serialized), got success") }
        var vendorCode: String? = nil
        if case let .Api(_, _, _, code, _, _, _, _, _, _, _) = e { vendorCode = code }
        for (key, value) in want {
            let got: JSON
            switch key {
            case "code": got = .string(e.code())
            case "status": got = e.httpStatus().map { .number(String($0)) } ?? .null
            case "retry": got = .string(e.retryAdvice().asStr())
            case "vendor_code": got = vendorCode.map { .string($0) } ?? .null
            case "local": got = .bool(e.fault() == .caller)
            default: throw Mismatch("unknown error field `\(key)`")
            }
            if !jsonEquals(got, value) { throw Mismatch("error.\(key) is \(got.serialized), expected \(value.serialized) (\(e.describe()))") }
        }
    }

    func pairsOf(_ node: JSON?) -> [KeyValue]? {
        guard case let .object(items)? = node else { return nil }
        return items.map { KeyValue(key: $0.0, value: $0.1.string ?? "") }
    }

    func rewriteOf(_ step: JSON) throws -> RewriteMessage {
        let e = step["edit"]!
        return RewriteMessage(
            messageId: step["message_id"]!.string!, kind: try messageKindFromName(name: e["type"]?.string ?? ""),
            msg: e["msg"]?.string, customEvent: e["custom_event"]?.string, customExts: pairsOf(e["custom_exts"]),
            newExt: pairsOf(e["new_ext"]), extMode: e["ext_mode"]?.string == "replace" ? .replace : .merge, user: e["user"]?.string)
    }

    func modifyOf(_ p: JSON) throws -> ModifyMessage {
        ModifyMessage(
            appId: try parseId(field: "app_id", decimal: p["app_id"]!.string!),
            conversationShortId: try parseId(field: "conversation_short_id", decimal: p["conversation_short_id"]!.string!),
            messageId: try parseId(field: "message_id", decimal: p["message_id"]!.string!),
            ext: pairsOf(p["ext"]) ?? [], content: p["content"]?.string)
    }

    /// JSON values equal, object key order ignored, numbers as numbers.
    func jsonEquals(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): return Decimal(string: x) == Decimal(string: y)
        case let (.object(x), .object(y)):
            return x.count == y.count && y.allSatisfy { k, v in a[k].map { jsonEquals($0, v) } ?? false }
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { jsonEquals($0, $1) }
        default: return a.serialized == b.serialized
        }
    }

    /// `got` contains `want`: extra object keys allowed, arrays element by element.
    func contains(_ got: JSON, _ want: JSON) -> Bool {
        switch (got, want) {
        case let (_, .object(w)): return w.allSatisfy { k, v in got[k].map { contains($0, v) } ?? false }
        case let (.array(g), .array(w)): return g.count == w.count && zip(g, w).allSatisfy { contains($0, $1) }
        case let (.number(x), .number(y)): return Decimal(string: x) == Decimal(string: y)
        default: return got.serialized == want.serialized
        }
    }
}
