package io.imedit

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest.BodyPublishers
import java.net.http.HttpResponse.BodyHandlers
import java.util.concurrent.TimeUnit as JTimeUnit

/**
 * The shared end-to-end scenario (`tests/e2e/scenario.json`, format in its README) against a fresh
 * `imedit emulator` process, with this binding's clients.
 */
class E2eTest {
    private val mapper = ObjectMapper()
    private val repo = File(System.getenv("IMEDIT_REPO") ?: "../..").canonicalFile
    private val http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()

    private class StepFailed(message: String) : Exception(message)

    /** `IMEDIT_BIN`, or `<target>/debug/imedit` built with cargo. */
    private fun emulatorBinary(): File {
        System.getenv("IMEDIT_BIN")?.takeIf { it.isNotEmpty() }?.let { return File(it) }
        val build = ProcessBuilder("cargo", "build", "--quiet", "-p", "imedit-cli").directory(repo).inheritIO().start()
        check(build.waitFor() == 0) { "cargo build -p imedit-cli failed" }
        val target = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: File(repo, "target")
        return File(target, "debug/imedit")
    }

    @Test
    fun sharedScenario() {
        val scenarioFile = System.getenv("IMEDIT_E2E_SCENARIO")?.let(::File) ?: File(repo, "tests/e2e/scenario.json")
        val scenario = mapper.readTree(scenarioFile)
        assertEquals(1, scenario["format"].asInt(), "scenario format")
        val seed = File(scenarioFile.parentFile, scenario["seed"].textValue())
        val process = ProcessBuilder(emulatorBinary().path, "emulator", "--port", "0", "--seed", seed.path)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        try {
            val base = readFirstLine(process)
            Runner(scenario, base).run()
        } finally {
            process.destroy()
            if (!process.waitFor(5, JTimeUnit.SECONDS)) process.destroyForcibly()
        }
    }

    private fun readFirstLine(process: Process): String {
        val line = StringBuilder()
        val deadline = System.nanoTime() + 30_000_000_000L
        val input = process.inputStream
        while (System.nanoTime() < deadline) {
            val c = input.read()
            if (c < 0) error("the emulator exited before printing its URL")
            if (c == '\n'.code) return line.toString().trim()
            line.append(c.toChar())
        }
        error("the emulator printed no URL within 30 s")
    }

    private inner class Runner(private val scenario: JsonNode, private val base: String) {
        private val em = scenario["easemob"]
        private val volc = scenario["volcengine"]
        private val rp = scenario["retry_policy"]
        private val retryPolicy = RetryPolicy(rp["max_attempts"].asInt().toUInt(), rp["base_delay_ms"].asLong().toULong(), rp["max_delay_ms"].asLong().toULong())
        private val transport = JavaHttpTransport()
        private val easemob = EasemobClient(
            Settings.withOptions(base, orgName = em["org_name"].textValue(), appName = em["app_name"].textValue(), allowHttp = true),
            TokenSource.clientCredentials(ClientCredentials(em["client_id"].textValue(), em["client_secret"].textValue())),
            TokenPolicy(ttl = em["token_ttl"].asLong().toULong(), unit = TimeUnit.SECONDS),
            transport = transport,
            retryPolicy = retryPolicy,
        )
        private val volcengine = VolcengineClient(
            Credentials(volc["access_key_id"].textValue(), volc["secret_access_key"].textValue()),
            endpoint = Endpoint(volc["region"].textValue(), base),
            transport = transport,
            retryPolicy = retryPolicy,
        )

        fun run() {
            val counts = sortedMapOf<String, Int>()
            try {
                for (step in scenario["steps"]) {
                    val id = step["id"].textValue()
                    val op = step["op"].textValue()
                    try {
                        when (op) {
                            "admin" -> admin(step)
                            "easemob.token" -> outcome(step["expect"]) { easemob.token() }
                            "easemob.rewrite" -> outcome(step["expect"]) { easemob.rewrite(rewriteOf(step)) }
                            "easemob.burst" -> burst(step)
                            "easemob.read_message" -> read(
                                "/_emulator/easemob/apps/${em["org_name"].textValue()}/${em["app_name"].textValue()}/messages/${step["message_id"].textValue()}",
                                step["expect"],
                            )
                            "volcengine.modify_message" -> outcome(step["expect"]) { volcengine.modifyMessage(modifyOf(step["params"])) }
                            "volcengine.read_message" -> read(
                                "/_emulator/volcengine/messages/${step["app_id"].textValue()}/${step["conversation_short_id"].textValue()}/${step["message_id"].textValue()}",
                                step["expect"],
                            )
                            else -> throw StepFailed("unknown op $op")
                        }
                    } catch (e: StepFailed) {
                        throw AssertionError("e2e step `$id` ($op) failed: ${e.message}")
                    }
                    println("ok  $id")
                    counts[op] = (counts[op] ?: 0) + 1
                }
            } finally {
                runCatching { send("POST", "/_emulator/shutdown", null) }
            }
            val total = counts.values.sum()
            println("e2e scenario: $total steps passed (${counts.entries.joinToString(", ") { "${it.key} ${it.value}" }})")
        }

        private fun send(method: String, path: String, body: JsonNode?): Pair<Int, String> {
            val builder = java.net.http.HttpRequest.newBuilder(URI.create(base + path))
            if (body != null) {
                builder.header("Content-Type", "application/json").method(method, BodyPublishers.ofString(mapper.writeValueAsString(body)))
            } else {
                builder.method(method, BodyPublishers.noBody())
            }
            val reply = http.send(builder.build(), BodyHandlers.ofString())
            return reply.statusCode() to reply.body()
        }

        private fun admin(step: JsonNode) {
            val (status, body) = send(step["method"].textValue(), step["path"].textValue(), step["body"])
            val expect = step["expect"]
            val wantStatus = expect?.get("status")?.asInt() ?: 200
            if (status != wantStatus) throw StepFailed("status $status, expected $wantStatus: $body")
            expect?.get("json")?.let { want ->
                val got = mapper.readTree(body)
                if (!contains(got, want)) throw StepFailed("reply $got does not contain $want")
            }
        }

        private fun read(path: String, expect: JsonNode) {
            val (status, body) = send("GET", path, null)
            if (status != 200) throw StepFailed("status $status: $body")
            val got = mapper.readTree(body)
            for ((key, want) in expect.properties()) {
                val value = got[key] ?: throw StepFailed("no `$key` in $got")
                val same = if (key == "ext") mapper.writeValueAsString(value) == mapper.writeValueAsString(want) else jsonEquals(value, want)
                if (!same) throw StepFailed("`$key` is $value, expected $want")
            }
        }

        private fun burst(step: JsonNode) {
            val token = easemob.token()
            val edit = rewriteOf(step)
            var ok = 0
            val errors = sortedMapOf<String, Int>()
            repeat(step["count"].asInt()) {
                try {
                    parseRewriteResponse(transport.send(buildRewriteRequest(easemob.settings, token, edit)))
                    ok++
                } catch (e: ImeditException) {
                    errors[e.code()] = (errors[e.code()] ?: 0) + 1
                }
            }
            val want = step["expect"]
            val wantErrors = want["errors"].properties().associate { it.key to it.value.asInt() }.toSortedMap()
            if (ok != want["ok"].asInt() || errors != wantErrors) throw StepFailed("ok $ok, errors $errors; expected $want")
        }

        private fun outcome(expect: JsonNode, call: () -> Any) {
            val error = try {
                call()
                null
            } catch (e: ImeditException) {
                e
            }
            if (expect["ok"] != null) {
                if (error != null) throw StepFailed("expected success, got ${error.describe()}")
                return
            }
            val want = expect["error"] ?: throw StepFailed("`expect` has neither ok nor error")
            if (error == null) throw StepFailed("expected the error $want, got success")
            for ((key, value) in want.properties()) {
                val got: Any? = when (key) {
                    "code" -> error.code()
                    "status" -> error.httpStatus()?.toInt()
                    "retry" -> error.retryAdvice().asStr()
                    "vendor_code" -> (error as? ImeditException.Api)?.vendorCode
                    "local" -> error.fault() == Fault.CALLER
                    else -> throw StepFailed("unknown error field `$key`")
                }
                val wantValue: Any? = when {
                    value.isNull -> null
                    value.isBoolean -> value.booleanValue()
                    value.isNumber -> value.asInt()
                    else -> value.asText()
                }
                if (got != wantValue) throw StepFailed("error.$key is $got, expected $wantValue (${error.describe()})")
            }
        }

        private fun pairsOf(node: JsonNode?): List<KeyValue>? =
            node?.takeIf { !it.isNull }?.properties()?.map { KeyValue(it.key, it.value.textValue()) }

        private fun text(node: JsonNode, key: String): String? = node[key]?.takeIf { it.isTextual }?.textValue()

        private fun rewriteOf(step: JsonNode): RewriteMessage {
            val e = step["edit"]
            return RewriteMessage(
                messageId = step["message_id"].textValue(),
                kind = messageKindFromName(text(e, "type") ?: ""),
                msg = text(e, "msg"),
                customEvent = text(e, "custom_event"),
                customExts = pairsOf(e["custom_exts"]),
                newExt = pairsOf(e["new_ext"]),
                extMode = if (text(e, "ext_mode") == "replace") ExtMode.REPLACE else ExtMode.MERGE,
                user = text(e, "user"),
            )
        }

        private fun modifyOf(p: JsonNode) = ModifyMessage(
            appId = parseId("app_id", p["app_id"].textValue()),
            conversationShortId = parseId("conversation_short_id", p["conversation_short_id"].textValue()),
            messageId = parseId("message_id", p["message_id"].textValue()),
            ext = pairsOf(p["ext"]).orEmpty(),
            content = text(p, "content"),
        )
    }

    /** JSON values equal, object key order ignored, numbers as numbers. */
    private fun jsonEquals(a: JsonNode, b: JsonNode): Boolean = when {
        a.isNumber && b.isNumber -> a.decimalValue().compareTo(b.decimalValue()) == 0
        a.isObject && b.isObject -> a.size() == b.size() && b.properties().all { (k, v) -> a[k]?.let { jsonEquals(it, v) } == true }
        a.isArray && b.isArray -> a.size() == b.size() && (0 until a.size()).all { jsonEquals(a[it], b[it]) }
        else -> a == b
    }

    /** `got` contains `want`: extra object keys allowed, arrays element by element. */
    private fun contains(got: JsonNode, want: JsonNode): Boolean = when {
        want.isObject -> got.isObject && want.properties().all { (k, v) -> got[k]?.let { contains(it, v) } == true }
        want.isArray -> got.isArray && got.size() == want.size() && (0 until want.size()).all { contains(got[it], want[it]) }
        want.isNumber -> got.isNumber && got.decimalValue().compareTo(want.decimalValue()) == 0
        else -> got == want
    }
}
