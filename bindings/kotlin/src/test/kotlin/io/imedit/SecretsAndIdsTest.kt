package io.imedit

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class SecretsAndIdsTest {
    private val secretKey = "c2VjcmV0U0VDUkVUS0VZ"
    private val sessionToken = "STSsessionTOKENvalue"
    private val clientSecret = "YXA6clientSECRETvalue"
    private val appToken = "YWMtAPPtokenVALUE"
    private val agoraToken = "007agoraTOKENvalue"
    private val secrets = listOf(secretKey, sessionToken, clientSecret, appToken, agoraToken)

    private fun assertRedacted(what: String, value: Any?) {
        val text = value.toString()
        for (s in secrets) assertFalse(text.contains(s), "$what prints a secret: $text")
    }

    private val settings = Settings("https://a1.easemob.com", "org", "app")
    private val edit = ModifyMessage(1, 9007199254740993, Long.MAX_VALUE, listOf(KeyValue("k", "v")), null)

    @Test
    fun secretsNeverPrinted() {
        val creds = Credentials.withSessionToken("AKLTexample", secretKey, sessionToken)
        val signer = Signer(creds)
        val signed = signer.modifyMessage(Endpoint(), edit, 1_717_245_296uL)
        val request = signed.request()
        val stages = signed.stages()
        assertEquals(sessionToken, request.header("X-Security-Token"), "the header carries the token")
        assertFalse(stages.toString().contains(stages.signingKeyHex()), "stages print the signing key: $stages")
        val clientCreds = ClientCredentials("YXA6clientid", clientSecret)
        val tokenRequest = buildTokenRequest(settings, clientCreds, TokenPolicy(unit = TimeUnit.SECONDS))
        assertTrue(tokenRequest.bodyText()!!.contains(clientSecret), "the body carries the secret")
        val token = AppToken(appToken, 1_700_000_000uL, 1_700_007_200uL)
        val rewrite = buildRewriteRequest(settings, token, RewriteMessage("1", MessageKind.TEXT, msg = "x", extMode = ExtMode.MERGE))
        assertEquals("Bearer $appToken", rewrite.header("Authorization"))
        val tokenReply = HttpResponse(200u, listOf(HttpHeader("Content-Type", "application/json")),
            """{"access_token":"$appToken","expires_in":7200}""".toByteArray())
        val cache = TokenCache(settings, TokenSource.clientCredentials(clientCreds), TokenPolicy(unit = TimeUnit.SECONDS))
        val fetch = cache.poll(1_700_000_000uL)
        val stored = cache.onResponse(tokenReply, 1_700_000_000uL)
        val use = cache.poll(1_700_000_001uL)
        val refresh = cache.poll(1_700_005_000uL)
        assertTrue(refresh is TokenAction.Refresh, "$refresh")

        val printed = mapOf(
            "Credentials" to creds, "Signer" to signer, "SignedRequest" to signed, "SigningStages" to stages,
            "HttpRequest (signed, STS)" to request, "HttpHeader X-Security-Token" to request.headers.first { it.name == "X-Security-Token" },
            "curl" to request.toCurl(false), "ClientCredentials" to clientCreds, "token request" to tokenRequest,
            "token request curl" to tokenRequest.toCurl(false), "AppToken" to token, "rewrite request" to rewrite,
            "rewrite curl" to rewrite.toCurl(false), "token reply" to tokenReply, "TokenCache" to cache,
            "TokenAction.Fetch" to fetch, "stored token" to stored, "TokenAction.Use" to use, "TokenAction.Refresh" to refresh,
            "TokenSource (client credentials)" to TokenSource.clientCredentials(clientCreds),
            "TokenSource (agora)" to TokenSource.agoraToken(agoraToken),
            "agora exchange request" to buildAgoraTokenExchangeRequest(settings, agoraToken),
            "VolcengineClient" to VolcengineClient(creds), "EasemobClient" to EasemobClient(settings, TokenSource.agoraToken(agoraToken)),
        )
        for ((what, value) in printed) assertRedacted(what, value)
        assertTrue(request.toCurl(true).contains(sessionToken), "reveal_secrets shows them")
    }

    @Test
    fun errorsMadeWithSecretsDoNotPrintThem() {
        val errors = listOf(
            assertThrows<ImeditException> { Credentials("AKLTexample\r\n", secretKey) },
            assertThrows<ImeditException> { Credentials.withSessionToken("AKLTexample", secretKey, "$sessionToken\n") },
            assertThrows<ImeditException> { ClientCredentials("YXA6clientid", "$clientSecret\u0000") },
            assertThrows<ImeditException> {
                buildRewriteRequest(settings, AppToken("$appToken\r", 0uL), RewriteMessage("1", MessageKind.TEXT, msg = "x", extMode = ExtMode.MERGE))
            },
            assertThrows<ImeditException> { buildAgoraTokenExchangeRequest(settings, "$agoraToken\n") },
        )
        for (e in errors) {
            assertEquals("invalid_input", e.code())
            for (text in listOf(e.toString(), e.message, e.describe(), e.stackTraceToString())) assertRedacted("error", text)
        }
    }

    @Test
    fun crLfNulRefused() {
        for (bad in listOf("a\rb", "a\nb", "a\u0000b")) {
            assertThrows<ImeditException.InvalidInput>("access key $bad") { Credentials(bad, secretKey) }
            assertThrows<ImeditException.InvalidInput>("session token $bad") { Credentials.withSessionToken("AK", secretKey, bad) }
            assertThrows<ImeditException.InvalidInput>("client secret $bad") { ClientCredentials("id", bad) }
            assertThrows<ImeditException.InvalidInput>("client id $bad") { ClientCredentials(bad, clientSecret) }
            assertThrows<ImeditException.InvalidInput>("agora token $bad") { buildAgoraTokenExchangeRequest(settings, bad) }
            assertThrows<ImeditException.InvalidInput>("app token $bad") {
                buildRewriteRequest(settings, AppToken(bad, 0uL), RewriteMessage("1", MessageKind.TEXT, msg = "x", extMode = ExtMode.MERGE))
            }
            val header = SignableRequest("POST", Scheme.HTTPS, "open.volcengineapi.com", headers = listOf(KeyValue("X-Custom", bad)))
            assertThrows<ImeditException.InvalidInput>("header value $bad") {
                sign(Credentials("AK", secretKey), header, SigningParams("cn-north-1", "rtc", 1_717_245_296uL))
            }
            assertThrows<ImeditException.InvalidInput>("host $bad") { Endpoint("cn-north-1", "rtc$bad.example.com") }
            assertThrows<ImeditException.InvalidInput>("org $bad") { Settings("https://a1.easemob.com", bad, "app") }
        }
    }

    @Test
    fun ids64BitExact() {
        val signer = Signer(Credentials("AKLTexample", secretKey))
        for (id in listOf(1L, 9007199254740993L, Long.MAX_VALUE)) {
            val body = signer.modifyMessageRequest(Endpoint(), ModifyMessage(id, id, id, listOf(KeyValue("k", "v"))), 1_717_245_296uL).bodyText()
            assertEquals("""{"AppId":$id,"ConversationShortId":$id,"MessageId":$id,"Ext":{"k":"v"}}""", body)
            assertEquals(id, parseId("message_id", id.toString()))
            assertEquals(id, parseMessageId(id.toString()))
            val url = buildRewriteRequest(settings, AppToken(appToken, 0uL), RewriteMessage(id.toString(), MessageKind.TEXT, msg = "x", extMode = ExtMode.MERGE)).url
            assertTrue(url.endsWith("/messages/rewrite/$id"), url)
        }
        assertEquals(9007199254740993L, parseId("id", "9007199254740993"))
        assertEquals(Long.MAX_VALUE, parseId("id", "9223372036854775807"))
        for (bad in listOf("0", "-1")) {
            val e = assertThrows<ImeditException.InvalidInput> {
                signer.modifyMessageRequest(Endpoint(), ModifyMessage(bad.toLong(), 1, 1, listOf(KeyValue("k", "v"))), 1_717_245_296uL)
            }
            assertEquals("app_id", e.field)
        }
        assertEquals("message_id", assertThrows<ImeditException.InvalidInput> { parseId("message_id", "9223372036854775808") }.field)
        assertThrows<ImeditException.InvalidInput> { parseId("message_id", "9007199254740993.0") }
        // The Easemob response's millisecond timestamp stays exact too.
        val outcome = parseRewriteResponse(HttpResponse(200u, body = """{"timestamp":9007199254740993,"duration":1,"data":"success"}""".toByteArray()))
        assertEquals(9007199254740993L, outcome.timestamp)
    }

    @Test
    fun everyErrorCodeIsKnown() {
        val codes = errorCodes()
        assertEquals(25, codes.size)
        assertTrue("token_invalid" in codes && "malformed_response" in codes)
        val e = ImeditException.Transport("connection reset")
        assertEquals("transport", e.code())
        assertEquals(RetryAdvice.RETRY, e.retryAdvice())
        assertNotNull(e.describe())
    }

    @Test
    fun nativeLibraryIsAJnaResource() {
        val os = System.getProperty("os.name").lowercase()
        val name = if (os.contains("mac")) "libimedit.dylib" else "libimedit.so"
        val found = listOf("linux-x86-64", "linux-aarch64", "darwin-aarch64", "darwin-x86-64")
            .mapNotNull { javaClass.getResource("/$it/$name") }
        assertEquals(1, found.size, "the native library is on the classpath under JNA's prefix: $found")
    }
}
