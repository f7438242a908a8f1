// A local HTTP/1.1 server on 127.0.0.1 with scripted replies, on plain sockets (no server library
// exists in swift-corelibs-foundation). Token requests (paths ending in /token) and other calls
// each take the next reply of their own script; every connection is closed after one reply.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Seen {
    let method: String
    let path: String
    let headers: [String: String]  // lower-case names
    let body: String
}

struct Reply {
    let status: Int
    let body: String
    var contentType = "application/json"
    var delayMs = 0
}

#if canImport(Glibc)
private let noSignal = Int32(MSG_NOSIGNAL)
#else
private let noSignal: Int32 = 0
#endif

final class ScriptedServer {
    private let lock = NSLock()
    private var _seen: [Seen] = []
    private var tokenReplies: [Reply] = []
    private var callReplies: [Reply] = []
    private let fd: Int32
    private(set) var port: UInt16 = 0
    private var stopped = false

    var seen: [Seen] { lock.lock(); defer { lock.unlock() }; return _seen }
    var origin: String { "http://127.0.0.1:\(port)" }

    init() throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Mismatch("socket failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw Mismatch("bind/listen failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
        let thread = Thread { self.acceptLoop() }
        thread.start()
    }

    func token(_ replies: Reply...) { lock.lock(); tokenReplies += replies; lock.unlock() }
    func calls(_ replies: Reply...) { lock.lock(); callReplies += replies; lock.unlock() }

    /// Stops accepting, and closes the socket only once the accept loop has exited (so that no
    /// later server reusing the descriptor number is served by this one).
    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        shutdown(fd, Int32(SHUT_RDWR))
        _ = loopExited.wait(timeout: .now() + 5)
        close(fd)
    }

    private let loopExited = DispatchSemaphore(value: 0)

    private func acceptLoop() {
        defer { loopExited.signal() }
        while true {
            let client = accept(fd, nil, nil)
            lock.lock(); let done = stopped; lock.unlock()
            if done {
                if client >= 0 { close(client) }
                return
            }
            if client < 0 { return }
            let worker = Thread { [weak self] in
                self?.serve(client)
                close(client)
            }
            worker.start()
        }
    }

    private func readSome(_ client: Int32) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = recv(client, &buf, buf.count, 0)
        return n > 0 ? Array(buf[0..<n]) : nil
    }

    private func serve(_ client: Int32) {
        var data = [UInt8]()
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int? = nil
        while headerEnd == nil {
            guard let chunk = readSome(client) else { return }
            data += chunk
            if data.count >= 4 {
                for i in 0...(data.count - 4) where Array(data[i..<i + 4]) == separator { headerEnd = i; break }
            }
        }
        let head = String(decoding: data[0..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(data[(headerEnd! + 4)...])
        while body.count < length {
            guard let chunk = readSome(client) else { break }
            body += chunk
        }
        let method = requestLine.count > 0 ? String(requestLine[0]) : ""
        let path = requestLine.count > 1 ? String(requestLine[1]) : ""
        lock.lock()
        _seen.append(Seen(method: method, path: path, headers: headers, body: String(decoding: body, as: UTF8.self)))
        let isToken = path.split(separator: "?").first.map { $0.hasSuffix("/token") } ?? false
        var reply = Reply(status: 599, body: "unscripted request")
        if isToken, !tokenReplies.isEmpty { reply = tokenReplies.removeFirst() }
        if !isToken, !callReplies.isEmpty { reply = callReplies.removeFirst() }
        lock.unlock()
        if reply.delayMs > 0 { usleep(useconds_t(reply.delayMs * 1000)) }
        let bytes = Array(reply.body.utf8)
        var out = "HTTP/1.1 \(reply.status) Scripted\r\nContent-Type: \(reply.contentType)\r\n"
        out += "Content-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
        let all = Array(out.utf8) + bytes
        var sent = 0
        while sent < all.count {
            let n = all[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, noSignal) }
            if n <= 0 { return }
            sent += n
        }
    }
}
