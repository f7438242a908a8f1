package io.imedit

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.node.JsonNodeFactory
import com.fasterxml.jackson.databind.node.ObjectNode
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File

/**
 * Runs the shared vectors of `tests/vectors/` (or of `$IMEDIT_VECTORS`) against the Kotlin API,
 * with the same logic as the Rust runner (`tests/vectors.rs`).
 */
class VectorsTest {
    private val mapper = ObjectMapper()
    private val json = JsonNodeFactory.instance

    private class Mismatch(message: String) : Exception(message)

    private val operations: List<Pair<String, (JsonNode) -> Unit>> = listOf(
        "volcengine/sign" to ::sign,
        "volcengine/modify_message" to ::modifyMessage,
        "volcengine/response" to ::volcengineResponse,
        "easemob/token" to ::easemobToken,
        "easemob/rewrite_message" to ::easemobRewrite,
        "easemob/response" to ::easemobResponse,
        "ext/merge" to ::extMerge,
    )

    private fun root(): File =
        System.getenv("IMEDIT_VECTORS")?.let(::File)
            ?: File(System.getenv("IMEDIT_REPO") ?: "../..", "tests/vectors")

    @Test
    fun sharedVectors() {
        val root = root().canonicalFile
        val failures = mutableListOf<String>()
        var total = 0
        checkLayout(root, failures)
        for ((operation, check) in operations) {
            val dir = File(root, operation)
            if (!dir.isDirectory) {
                println("$operation: folder absent, skipped")
                continue
            }
            val files = dir.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }
            if (files.isEmpty()) failures += "$operation: no vector files"
            for (file in files) {
                val name = file.relativeTo(root).path
                try {
                    check(mapper.readTree(file))
                } catch (e: Mismatch) {
                    failures += "$name: ${e.message}"
                } catch (e: Exception) {
                    failures += "$name: ${e.javaClass.simpleName}: ${e.message}"
                }
            }
            println("$operation: ${files.size} vector files checked")
            total += files.size
        }
        println("$total vector files checked in $root")
        assertTrue(failures.isEmpty(), "${failures.size} failing vectors:\n${failures.joinToString("\n")}")
    }

    /** Unknown folders or files are failures (README files are welcome). */
    private fun checkLayout(root: File, failures: MutableList<String>) {
        for (api in root.listFiles()!!) {
            if (!api.isDirectory || api.name == "generate") continue
            for (op in api.listFiles()!!) {
                val rel = "${api.name}/${op.name}"
                if (op.isDirectory && operations.none { it.first == rel }) {
                    failures += "$rel: unknown operation folder"
                } else if (op.isDirectory) {
                    for (f in op.listFiles()!!) {
                        if (!f.name.endsWith(".json") && f.name != "README.md") failures += "${f.path}: unknown file"
                    }
                }
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private fun field(v: JsonNode, key: String): JsonNode = v.get(key) ?: throw Mismatch("missing `$key`")

    private fun text(v: JsonNode, key: String): String =
        field(v, key).let { if (it.isTextual) it.textValue() else throw Mismatch("`$key` is not a string") }

    private fun optText(v: JsonNode, key: String): String? = v.get(key)?.takeIf { it.isTextual }?.textValue()

    private fun optU64(v: JsonNode, key: String): ULong? =
        v.get(key)?.takeIf { it.isIntegralNumber && it.canConvertToLong() && it.longValue() >= 0 }?.longValue()?.toULong()

    private fun pairs(v: JsonNode): List<KeyValue> = when {
        v.isObject -> v.properties().map { (k, value) ->
            if (!value.isTextual) throw Mismatch("`$k` is not a string")
            KeyValue(k, value.textValue())
        }
        v.isArray -> v.map { p ->
            if (!(p.isArray && p.size() == 2 && p[0].isTextual && p[1].isTextual)) throw Mismatch("not a [name, value] pair: $p")
            KeyValue(p[0].textValue(), p[1].textValue())
        }
        else -> throw Mismatch("not a map: $v")
    }

    private fun optPairs(v: JsonNode, key: String): List<KeyValue>? =
        v.get(key)?.takeIf { !it.isNull }?.let(::pairs)

    private fun eq(what: String, got: Any?, want: Any?) {
        if (got != want) throw Mismatch("$what:\n   got $got\n  want $want")
    }

    /** JSON equality that also checks key order (ext maps and objects are ordered). */
    private fun sameJson(what: String, got: JsonNode, want: JsonNode) =
        eq(what, mapper.writeValueAsString(got), mapper.writeValueAsString(want))

    private fun requestJson(r: HttpRequest): JsonNode = json.objectNode().apply {
        put("method", r.method)
        put("url", r.url)
        putArray("headers").apply { r.headers.forEach { h -> addArray().add(h.name).add(h.value) } }
        put("body", r.bodyText() ?: "<not utf-8>")
    }

    /** Compares a build result with `expected.request` or `expected.error`. */
    private fun built(expected: JsonNode, build: () -> HttpRequest) {
        val result = runCatching(build)
        val error = result.exceptionOrNull()
        if (error != null && error !is ImeditException) throw error
        val want = expected.get("request")
        val wantError = expected.get("error")
        when {
            want != null && error == null -> sameJson("request", requestJson(result.getOrThrow()), want)
            wantError != null && error is ImeditException -> refusal(wantError, error)
            want != null -> throw Mismatch("expected a request, got the error ${(error as ImeditException).describe()}")
            wantError != null -> throw Mismatch("expected the error $wantError, got the request ${result.getOrThrow()}")
            else -> throw Mismatch("`expected` has neither `request` nor `error`")
        }
    }

    private fun refusal(want: JsonNode, got: ImeditException) {
        eq("error code", got.code(), text(want, "code"))
        optText(want, "field")?.let { field ->
            if (got is ImeditException.InvalidInput) eq("error field", got.field, field)
            else throw Mismatch("expected field $field, got ${got.describe()}")
        }
    }

    private fun jsonOf(v: Any?): JsonNode = when (v) {
        null -> json.nullNode()
        is String -> json.textNode(v)
        is Long -> json.numberNode(v)
        is ULong -> json.numberNode(java.math.BigInteger(v.toString()))
        is UShort -> json.numberNode(v.toInt())
        is Boolean -> json.booleanNode(v)
        else -> throw IllegalArgumentException("no JSON form for $v")
    }

    /** Compares a parse error with `expected.error`: every listed field must match. */
    private fun parsedError(want: JsonNode, got: ImeditException) {
        val api = got as? ImeditException.Api
        val actual = linkedMapOf(
            "code" to got.code(),
            "retry" to got.retryAdvice().asStr(),
            "status" to got.httpStatus(),
            "vendor_code" to api?.vendorCode,
            "vendor_code_n" to api?.vendorCodeN,
            "exception" to api?.exception,
            "message" to api?.vendorMessage,
            "request_id" to api?.requestId,
            "timestamp" to api?.timestamp,
            "duration" to api?.duration,
        )
        if (!want.isObject) throw Mismatch("`error` is not an object")
        for ((key, value) in want.properties()) {
            if (key !in actual) throw Mismatch("unknown error field `$key`")
            sameJson("error.$key", jsonOf(actual[key]), value)
        }
    }

    private fun response(input: JsonNode): HttpResponse {
        val status = field(input, "status").also { if (!it.isIntegralNumber) throw Mismatch("status") }.intValue()
        val headers = input.get("headers")?.takeIf { !it.isNull }?.let(::pairs).orEmpty().map { HttpHeader(it.key, it.value) }
        return HttpResponse(status.toUShort(), headers, text(input, "body").toByteArray())
    }

    private fun <T> parsed(expected: JsonNode, parse: () -> T, toJson: (T) -> JsonNode) {
        val result = runCatching(parse)
        val error = result.exceptionOrNull()
        if (error != null && error !is ImeditException) throw error
        val want = expected.get("ok")
        val wantError = expected.get("error")
        when {
            want != null && error == null -> sameJson("ok", toJson(result.getOrThrow()), want)
            wantError != null && error is ImeditException -> parsedError(wantError, error)
            want != null -> throw Mismatch("expected success, got ${(error as ImeditException).describe()}")
            wantError != null -> throw Mismatch("expected the error $wantError, got ${toJson(result.getOrThrow())}")
            else -> throw Mismatch("`expected` has neither `ok` nor `error`")
        }
    }

    private fun volcCredentials(input: JsonNode): Credentials {
        val ak = optText(input, "access_key_id") ?: ""
        val sk = optText(input, "secret_access_key") ?: ""
        return when (val token = optText(input, "session_token")) {
            null -> Credentials(ak, sk)
            else -> Credentials.withSessionToken(ak, sk, token)
        }
    }

    // ---- volcengine --------------------------------------------------------------------------

    private fun sign(case: JsonNode) {
        val input = field(case, "input")
        val expected = field(case, "expected")
        val request = SignableRequest(
            method = text(input, "method"),
            scheme = Scheme.HTTPS,
            host = text(input, "host"),
            path = text(input, "path"),
            query = pairs(field(input, "query")),
            headers = pairs(field(input, "headers")),
            body = text(input, "body").toByteArray(),
        )
        val signedHeaders = when (val s = input.get("signed_headers")) {
            null -> null
            else -> if (s.isNull) null else if (s.isArray) s.filter { it.isTextual }.map { it.textValue() } else throw Mismatch("signed_headers: $s")
        }
        val params = SigningParams(
            region = text(input, "region"),
            service = text(input, "service"),
            time = optU64(input, "time") ?: throw Mismatch("time"),
            signedHeaders = signedHeaders,
        )
        val creds = try {
            volcCredentials(input)
        } catch (e: ImeditException) {
            throw Mismatch(e.describe())
        }
        // Both entry points must agree: the one-shot signer and the caching signer (twice, so the
        // second call uses the cached key).
        val cold = try {
            sign(creds, request, params)
        } catch (e: ImeditException) {
            throw Mismatch(e.describe())
        }
        val signer = Signer(creds)
        for (signed in listOf(cold, signer.sign(request, params), signer.sign(request, params))) {
            val s = signed.stages()
            eq("canonical_request", s.canonicalRequest(), text(expected, "canonical_request"))
            eq("string_to_sign", s.stringToSign(), text(expected, "string_to_sign"))
            optText(expected, "signing_key")?.let { eq("signing_key", s.signingKeyHex(), it) }
            eq("signature", s.signature(), text(expected, "signature"))
            eq("authorization", s.authorization(), text(expected, "authorization"))
            val req = signed.request()
            eq("Authorization header", req.header("Authorization"), s.authorization())
            for (h in pairs(field(expected, "headers"))) eq("header ${h.key}", req.header(h.key), h.value)
            // The URL carries exactly the canonical query that was signed.
            val queryLine = s.canonicalRequest().split("\n").getOrElse(2) { "" }
            eq("URL query", req.url.substringAfter('?', ""), queryLine)
        }
    }

    private fun modifyMessage(case: JsonNode) {
        val input = field(case, "input")
        val expected = field(case, "expected")
        built(expected) {
            val params = input.get("params") ?: throw ImeditException.Transport("missing `params`")
            fun id(key: String) = parseId(key, optText(params, key) ?: "")
            val edit = ModifyMessage(
                appId = id("app_id"),
                conversationShortId = id("conversation_short_id"),
                messageId = id("message_id"),
                ext = optPairs(params, "ext").orEmpty(),
                content = optText(params, "content"),
            )
            val endpoint = Endpoint(optText(input, "region") ?: "", optText(input, "host"))
            val creds = volcCredentials(input)
            val time = optU64(input, "time") ?: 0uL
            val cold = buildModifyMessageRequest(creds, endpoint, edit, time).request()
            val cached = Signer(creds).modifyMessage(endpoint, edit, time).request()
            eq("cached signer request", mapper.writeValueAsString(requestJson(cached)), mapper.writeValueAsString(requestJson(cold)))
            cold
        }
    }

    private fun meta(m: ResponseMetadata): ObjectNode = json.objectNode().apply {
        put("request_id", m.requestId)
        put("action", m.action)
        put("version", m.version)
        put("service", m.service)
        put("region", m.region)
    }

    private fun volcengineResponse(case: JsonNode) {
        val input = field(case, "input")
        val expected = field(case, "expected")
        val reply = response(input)
        when (val op = text(input, "operation")) {
            "modify_message" -> parsed(expected, { parseModifyMessageResponse(reply) }, ::meta)
            "openapi" -> parsed(expected, { parseOpenapiResponse(reply) }) { r ->
                meta(r.metadata).apply { set<JsonNode>("result", jsonOf(r.result)) }
            }
            else -> throw Mismatch("unknown operation $op")
        }
    }

    // ---- easemob ------------------------------------------------------------------------------

    private fun settings(input: JsonNode): Settings = Settings.withOptions(
        baseUrl = optText(input, "base_url") ?: "",
        orgName = optText(input, "org_name"),
        appName = optText(input, "app_name"),
        appKey = optText(input, "app_key"),
        allowHttp = input.get("allow_http")?.takeIf { it.isBoolean }?.booleanValue() ?: false,
    )

    private fun unit(input: JsonNode): TimeUnit = when (val u = optText(input, "unit")) {
        null, "seconds" -> TimeUnit.SECONDS
        "milliseconds" -> TimeUnit.MILLISECONDS
        else -> throw Mismatch("unknown unit $u")
    }

    private fun easemobToken(case: JsonNode) {
        val input = field(case, "input")
        val expected = field(case, "expected")
        val policy = TokenPolicy(ttl = optU64(input, "ttl"), unit = unit(input))
        built(expected) {
            val s = settings(input)
            when (optText(input, "grant")) {
                "agora" -> buildAgoraTokenExchangeRequest(s, optText(input, "agora_token") ?: "")
                else -> {
                    val creds = ClientCredentials(optText(input, "client_id") ?: "", optText(input, "client_secret") ?: "")
                    buildTokenRequest(s, creds, policy)
                }
            }
        }
    }

    private fun easemobRewrite(case: JsonNode) {
        val input = field(case, "input")
        val expected = field(case, "expected")
        val edit = field(input, "edit")
        built(expected) {
            val settings = settings(input)
            val kind = messageKindFromName(optText(edit, "type") ?: "")
            val customExts = try { optPairs(edit, "custom_exts") } catch (e: Mismatch) { throw ImeditException.Transport(e.message!!) }
            val newExt = try { optPairs(edit, "new_ext") } catch (e: Mismatch) { throw ImeditException.Transport(e.message!!) }
            val e = RewriteMessage(
                messageId = optText(input, "message_id") ?: "",
                kind = kind,
                msg = optText(edit, "msg"),
                customEvent = optText(edit, "custom_event"),
                customExts = customExts,
                newExt = newExt,
                extMode = if (optText(edit, "ext_mode") == "replace") ExtMode.REPLACE else ExtMode.MERGE,
                user = optText(edit, "user"),
            )
            buildRewriteRequest(settings, AppToken(optText(input, "token") ?: "", 0uL), e)
        }
    }

    private fun easemobResponse(case: JsonNode) {
        val input = field(case, "input")
        val expected = field(case, "expected")
        val reply = response(input)
        val now = optU64(input, "now") ?: 0uL
        val policy = TokenPolicy(unit = unit(input), refreshMargin = optU64(input, "refresh_margin") ?: 300uL)
        val token = { t: AppToken ->
            json.objectNode().apply {
                put("token", t.value())
                set<JsonNode>("issued_at", jsonOf(t.issuedAt()))
                set<JsonNode>("expires_at", jsonOf(t.expiresAt()))
                set<JsonNode>("refresh_at", jsonOf(t.refreshAt()))
                set<JsonNode>("application", jsonOf(t.application()))
            }
        }
        when (val op = text(input, "operation")) {
            "rewrite_message" -> parsed(expected, { parseRewriteResponse(reply) }) { o ->
                json.objectNode().apply {
                    set<JsonNode>("path", jsonOf(o.path))
                    set<JsonNode>("uri", jsonOf(o.uri))
                    set<JsonNode>("timestamp", jsonOf(o.timestamp))
                    set<JsonNode>("organization", jsonOf(o.organization))
                    set<JsonNode>("application", jsonOf(o.application))
                    set<JsonNode>("application_name", jsonOf(o.applicationName))
                    set<JsonNode>("action", jsonOf(o.action))
                    set<JsonNode>("duration", jsonOf(o.duration))
                }
            }
            "token" -> parsed(expected, { parseTokenResponse(reply, now, policy) }, token)
            "agora_token_exchange" -> parsed(expected, { parseAgoraTokenExchangeResponse(reply, now, policy) }, token)
            else -> throw Mismatch("unknown operation $op")
        }
    }

    // ---- ext ------------------------------------------------------------------------------------

    private fun extMerge(case: JsonNode) {
        val input = field(case, "input")
        val mode = when (val m = text(input, "mode")) {
            "merge" -> ExtMode.MERGE
            "replace" -> ExtMode.REPLACE
            else -> throw Mismatch("unknown mode $m")
        }
        val result = mergeExt(pairs(field(input, "current")), pairs(field(input, "patch")), mode)
        val got = json.objectNode().apply { result.forEach { put(it.key, it.value) } }
        sameJson("result", got, field(field(case, "expected"), "result"))
    }
}
