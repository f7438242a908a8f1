package io.imedit

import com.sun.net.httpserver.HttpServer
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.InetSocketAddress
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit as JTimeUnit
import kotlin.random.Random

/** A request as the server saw it. */
data class Seen(val method: String, val path: String, val headers: Map<String, String>, val body: String)

/** A reply the server sends, in script order. */
data class Reply(val status: Int, val body: String, val contentType: String = "application/json", val delayMs: Long = 0)

/**
 * A local HTTP server on 127.0.0.1 with scripted replies: token requests (paths ending in
 * `/token`) and other calls each take the next reply of their own script.
 */
class ScriptedServer : AutoCloseable {
    val seen = ConcurrentLinkedQueue<Seen>()
    private val tokenReplies = ConcurrentLinkedQueue<Reply>()
    private val callReplies = ConcurrentLinkedQueue<Reply>()
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)

    init {
        server.executor = Executors.newCachedThreadPool()
        server.createContext("/") { ex ->
            val body = ex.requestBody.readBytes().decodeToString()
            val headers = ex.requestHeaders.entries.associate { (k, v) -> k.lowercase() to v.joinToString(",") }
            val path = ex.requestURI.rawPath + (ex.requestURI.rawQuery?.let { "?$it" } ?: "")
            seen += Seen(ex.requestMethod, path, headers, body)
            val reply = (if (ex.requestURI.rawPath.endsWith("/token")) tokenReplies else callReplies).poll()
                ?: Reply(599, "unscripted request")
            if (reply.delayMs > 0) Thread.sleep(reply.delayMs)
            val bytes = reply.body.toByteArray()
            ex.responseHeaders.add("Content-Type", reply.contentType)
            ex.sendResponseHeaders(reply.status, if (bytes.isEmpty()) -1 else bytes.size.toLong())
            ex.responseBody.use { it.write(bytes) }
        }
        server.start()
    }

    val origin: String get() = "http://127.0.0.1:${server.address.port}"

    fun token(vararg replies: Reply) = apply { tokenReplies.addAll(replies) }
    fun calls(vararg replies: Reply) = apply { callReplies.addAll(replies) }

    override fun close() = server.stop(0)
}

/** A simulated clock: sleeping advances it at once, and every sleep is recorded. */
class FakeClock(var now: Long = 1_717_245_296_000L) : HostClock {
    val sleeps = mutableListOf<Long>()
    override fun nowMillis(): Long = synchronized(this) { now }
    override fun sleep(millis: Long) = synchronized(this) {
        sleeps += millis
        now += millis
    }
}

const val VOLC_OK = """{"ResponseMetadata":{"RequestId":"20240601123456C0A80001ABCDEF0123","Action":"ModifyMessage","Version":"2020-12-01","Service":"rtc","Region":"cn-north-1"},"Result":{"Message":"success"}}"""
const val VOLC_429 = """{"ResponseMetadata":{"RequestId":"r429","Action":"ModifyMessage","Version":"2020-12-01","Service":"rtc","Region":"cn-north-1","Error":{"CodeN":100018,"Code":"FlowLimitExceeded","Message":"flow limit exceeded"}}}"""
const val VOLC_403 = """{"ResponseMetadata":{"RequestId":"r403","Action":"ModifyMessage","Version":"2020-12-01","Service":"rtc","Region":"cn-north-1","Error":{"CodeN":100006,"Code":"AccessDenied","Message":"denied"}}}"""
const val GATEWAY_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
fun emToken(value: String, expiresIn: Int = 7200) = Reply(200, """{"access_token":"$value","expires_in":$expiresIn,"application":"8be024f0-e978-11e8-b697-5d598d5f8402"}""")
const val EM_OK = """{"path":"/messages/rewrite/1235807318835202004","uri":"https://a1.easemob.com/org/app/messages/rewrite/1235807318835202004","timestamp":1705372388118,"organization":"org","application":"ff678832","action":"put","data":"success","duration":49,"applicationName":"app"}"""
const val EM_EXPIRED = """{"error":"unauthorized","timestamp":1705372388118,"duration":0,"error_description":"Unable to authenticate due to expired access token"}"""
const val EM_NOT_AUTHORIZED = """{"error":"message_rewrite_error","timestamp":1705372388118,"duration":0,"error_description":"You are not authorized to edit this message."}"""
const val EM_429 = """{"error":"reach_limit","timestamp":1705372388118,"duration":0,"error_description":"This request has reached api limit"}"""

class ClientsTest {
    private val server = ScriptedServer()
    private val clock = FakeClock()

    @AfterEach
    fun stop() = server.close()

    /** A limiter that never waits in these tests (the rate limit has its own test). */
    private fun unlimited() = RateLimiter(1_000_000u, 1_000_000u)

    private fun volcengine(transport: HttpTransport = JavaHttpTransport(), limiter: RateLimiter = unlimited()) = VolcengineClient(
        Credentials("AKLTexample", "c2VjcmV0"),
        endpoint = Endpoint("cn-north-1", server.origin),
        transport = transport,
        limiter = limiter,
        clock = clock,
        random = Random(7),
    )

    private fun easemob(clock: HostClock = this.clock) = EasemobClient(
        Settings.withOptions(server.origin, orgName = "org", appName = "app", allowHttp = true),
        TokenSource.clientCredentials(ClientCredentials("YXA6clientid", "YXA6clientsecret")),
        limiter = unlimited(),
        tokenLimiter = unlimited(),
        clock = clock,
        random = Random(7),
    )

    private val edit = ModifyMessage(123456, 7123456789012345678, Long.MAX_VALUE, listOf(KeyValue("reviewed", "yes")), textContent("edited"))
    private val rewrite = RewriteMessage("1235807318835202004", MessageKind.TEXT, msg = "edited", extMode = ExtMode.MERGE)

    @Test
    fun volcengineSuccess() {
        server.calls(Reply(200, VOLC_OK))
        val meta = volcengine().modifyMessage(edit)
        assertEquals("20240601123456C0A80001ABCDEF0123", meta.requestId)
        val req = server.seen.single()
        assertEquals("POST", req.method)
        assertEquals("/?Action=ModifyMessage&Version=2020-12-01", req.path)
        assertEquals(
            """{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":9223372036854775807,"Ext":{"reviewed":"yes"},"Content":"{\"text\":\"edited\"}"}""",
            req.body,
        )
        assertTrue(req.headers["authorization"]!!.startsWith("HMAC-SHA256 Credential=AKLTexample/20240601/cn-north-1/rtc/request, "))
        assertEquals("20240601T123456Z", req.headers["x-date"])
        assertEquals(listOf<Long>(), clock.sleeps)
    }

    @Test
    fun volcengine429ThenSuccessIsRetriedAndSignedAgain() {
        server.calls(Reply(429, VOLC_429), Reply(200, VOLC_OK))
        val meta = volcengine().modifyMessage(edit)
        assertEquals("ModifyMessage", meta.action)
        assertEquals(2, server.seen.size)
        assertEquals(1, clock.sleeps.size)
        assertTrue(clock.sleeps[0] in 0..200, "full-jitter backoff below the base delay: ${clock.sleeps}")
    }

    @Test
    fun volcenginePermissionErrorIsNotRetried() {
        server.calls(Reply(403, VOLC_403))
        val e = assertThrows<ImeditException.Api> { volcengine().modifyMessage(edit) }
        assertEquals("permission_denied", e.code())
        assertEquals(RetryAdvice.DO_NOT_RETRY, e.retryAdvice())
        assertEquals("r403", e.requestId)
        assertEquals(1, server.seen.size)
    }

    @Test
    fun volcengineGatewayHtml502IsRetriedThenGivenUp() {
        server.calls(Reply(502, GATEWAY_502, "text/html"), Reply(502, GATEWAY_502, "text/html"), Reply(502, GATEWAY_502, "text/html"))
        val e = assertThrows<ImeditException.MalformedResponse> { volcengine().modifyMessage(edit) }
        assertEquals("malformed_response", e.code())
        assertEquals(502.toUShort(), e.httpStatus())
        assertEquals(RetryAdvice.RETRY, e.retryAdvice())
        assertTrue(e.excerpt.startsWith("<html> <head><title>502 Bad Gateway</title>"), e.excerpt)
        assertEquals(3, server.seen.size, "max_attempts = 3")
        assertEquals(2, clock.sleeps.size)
    }

    @Test
    fun volcengineWaitsForTheRateLimiter() {
        server.calls(Reply(200, VOLC_OK), Reply(200, VOLC_OK), Reply(200, VOLC_OK))
        val client = volcengine(limiter = RateLimiter.volcengineModifyMessage())
        repeat(3) { client.modifyMessage(edit) }
        assertEquals(listOf(20L, 20L), clock.sleeps, "50 per second, no burst: 20 ms apart")
        assertEquals(3, server.seen.size)
    }

    @Test
    fun transportFailureIsReportedAsTransport() {
        val dead = VolcengineClient(
            Credentials("AKLTexample", "c2VjcmV0"),
            endpoint = Endpoint("cn-north-1", "http://127.0.0.1:9"),
            clock = clock,
        )
        val e = assertThrows<ImeditException.Transport> { dead.modifyMessage(edit) }
        assertEquals("transport", e.code())
        assertEquals(Fault.NETWORK, e.fault())
        assertEquals(2, clock.sleeps.size, "retried with backoff, 3 attempts in all")
    }

    @Test
    fun easemobSuccessFetchesTheTokenOnce() {
        server.token(emToken("YWMtFirst")).calls(Reply(200, EM_OK), Reply(200, EM_OK))
        val client = easemob()
        assertEquals(49L, client.rewrite(rewrite).duration)
        assertEquals("put", client.rewrite(rewrite).action)
        val seen = server.seen.toList()
        assertEquals(listOf("POST /org/app/token", "PUT /org/app/messages/rewrite/1235807318835202004", "PUT /org/app/messages/rewrite/1235807318835202004"), seen.map { "${it.method} ${it.path}" })
        assertTrue(seen[0].body.contains("\"client_secret\":\"YXA6clientsecret\""))
        assertEquals("Bearer YWMtFirst", seen[1].headers["authorization"])
        assertTrue(seen[1].body.contains("\"edited\""), seen[1].body)
    }

    @Test
    fun easemobTokenErrorRefreshesOnceThenSucceeds() {
        server.token(emToken("YWMtFirst"), emToken("YWMtSecond")).calls(Reply(401, EM_EXPIRED), Reply(200, EM_OK))
        val outcome = easemob().rewrite(rewrite)
        assertEquals("/messages/rewrite/1235807318835202004", outcome.path)
        val seen = server.seen.toList()
        assertEquals(listOf("POST", "PUT", "POST", "PUT"), seen.map { it.method })
        assertEquals("Bearer YWMtFirst", seen[1].headers["authorization"])
        assertEquals("Bearer YWMtSecond", seen[3].headers["authorization"])
        assertEquals(listOf<Long>(), clock.sleeps, "a token refresh is not a backoff")
    }

    @Test
    fun easemobTokenErrorTwiceGivesUpAfterOneRefresh() {
        server.token(emToken("YWMtFirst"), emToken("YWMtSecond")).calls(Reply(401, EM_EXPIRED), Reply(401, EM_EXPIRED))
        val e = assertThrows<ImeditException.Api> { easemob().rewrite(rewrite) }
        assertEquals("token_invalid", e.code())
        assertEquals(listOf("POST", "PUT", "POST", "PUT"), server.seen.map { it.method })
    }

    @Test
    fun easemob429ThenSuccess() {
        server.token(emToken("YWMtFirst")).calls(Reply(429, EM_429), Reply(200, EM_OK))
        easemob().rewrite(rewrite)
        assertEquals(listOf("POST", "PUT", "PUT"), server.seen.map { it.method })
        assertEquals(1, clock.sleeps.size)
    }

    @Test
    fun easemobPermission401DoesNotRefresh() {
        server.token(emToken("YWMtFirst")).calls(Reply(401, EM_NOT_AUTHORIZED))
        val client = easemob()
        val e = assertThrows<ImeditException.Api> { client.rewrite(rewrite) }
        assertEquals("permission_denied", e.code())
        assertEquals(ApiErrorKind.PERMISSION_DENIED, e.kind)
        assertEquals(listOf("POST", "PUT"), server.seen.map { it.method })
        assertEquals("YWMtFirst", client.tokens.token()!!.value(), "the token is kept")
    }

    @Test
    fun easemobGatewayHtml502() {
        server.token(emToken("YWMtFirst")).calls(Reply(502, GATEWAY_502, "text/html"), Reply(200, EM_OK))
        easemob().rewrite(rewrite)
        assertEquals(listOf("POST", "PUT", "PUT"), server.seen.map { it.method })
        server.token(emToken("YWMtSecond"))
        server.calls(Reply(502, GATEWAY_502, "text/html"), Reply(502, GATEWAY_502, "text/html"), Reply(502, GATEWAY_502, "text/html"))
        val e = assertThrows<ImeditException.MalformedResponse> { easemob().rewrite(rewrite) }
        assertEquals(RetryAdvice.RETRY, e.retryAdvice())
    }

    @Test
    fun concurrentCallsShareOneTokenFetch() {
        // Real clock: the token reply is slow, so the other threads find a fetch in flight.
        server.token(emToken("YWMtShared").copy(delayMs = 300))
        repeat(8) { server.calls(Reply(200, EM_OK)) }
        val client = easemob(HostClock.System)
        val pool = Executors.newFixedThreadPool(8)
        val start = CountDownLatch(1)
        val results = (1..8).map { pool.submit<RewriteOutcome> { start.await(); client.rewrite(rewrite) } }
        start.countDown()
        results.forEach { assertEquals("put", it.get(10, JTimeUnit.SECONDS).action) }
        pool.shutdown()
        assertEquals(1, server.seen.count { it.method == "POST" }, "one token request in flight")
        assertEquals(8, server.seen.count { it.method == "PUT" && it.headers["authorization"] == "Bearer YWMtShared" })
    }
}
