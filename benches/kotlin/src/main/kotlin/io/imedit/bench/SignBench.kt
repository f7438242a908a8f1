// imedit (Kotlin binding, across the FFI boundary) next to the official Volcengine Java SDK signer,
// on the mm_basic ModifyMessage request (tests/vectors/volcengine/sign/python-mm-basic.json).
package io.imedit.bench

import com.volcengine.auth.impl.SignerV4Impl
import com.volcengine.model.RequestParam
import com.volcengine.service.SignableRequest as SdkRequest
import io.imedit.AppToken
import io.imedit.Credentials
import io.imedit.Endpoint
import io.imedit.KeyValue
import io.imedit.ModifyMessage
import io.imedit.Signer
import io.imedit.buildModifyMessageRequest
import io.imedit.rtcHost
import io.imedit.textContent
import org.apache.http.client.utils.URIBuilder
import org.apache.http.entity.ByteArrayEntity
import org.apache.http.message.BasicHeader
import org.apache.http.message.BasicNameValuePair
import java.io.File
import java.util.Date
import com.volcengine.model.Credentials as SdkCredentials

const val AK = "AKLTYmQ0ZDQxYzc5ZTJkNDY0ZGI4NmE4NTZhYjM4ZjcwMmU"
const val SK = "TVRrMU1EQXdOR1l6TWpnM05HSmxPRGcwTVRjeE1UVTFNVGd3T1dNeU1UZw=="
const val BODY = """{"AppId":123456,"ConversationShortId":7123456789012345678,"MessageId":7234567890123456789,"Ext":{"key":"value"},"Content":"{\"text\":\"hello\"}"}"""
const val HOST = "rtc.volcengineapi.com"
const val VECTOR_TIME = 1_717_245_296L
const val VECTOR_SIGNATURE = "ec14db7733b1ee85ad605e6eb959764cc558f3d75d802d5d3ae7191cf06e5316"
const val RUNS = 5
const val SDK_VERSION = "1.0.273"

val sdkCredentials = SdkCredentials().apply { accessKeyID = AK; secretAccessKey = SK; service = "rtc"; region = "cn-north-1" }

fun sdkRequest(): SdkRequest = SdkRequest().apply {
    method = "POST"
    uriBuilder = URIBuilder().setScheme("https").setHost(HOST).setPath("/")
        .setParameter("Action", "ModifyMessage").setParameter("Version", "2020-12-01")
    setHeader("Content-Type", "application/json")
    entity = ByteArrayEntity(BODY.toByteArray())
}

fun edit() = ModifyMessage(123456, 7123456789012345678, 7234567890123456789, listOf(KeyValue("key", "value")), textContent("hello"))

/** Microseconds per call: the median of [RUNS] timed runs of [n] calls, after a warm-up. */
fun measure(n: Int, prepare: (Int) -> Any? = { null }, call: (Any?) -> Unit): Pair<Double, List<Double>> {
    fun once(count: Int): Double {
        val inputs = (0 until count).map(prepare) // built outside the timed loop
        val t0 = System.nanoTime()
        for (x in inputs) call(x)
        return (System.nanoTime() - t0) / 1000.0 / count
    }
    once(minOf(n, 5000))
    once(minOf(n, 5000))
    val runs = (1..RUNS).map { once(n) }
    return runs.sorted()[RUNS / 2] to runs
}

fun rssKb(): Long = File("/proc/self/status").readLines().firstOrNull { it.startsWith("VmRSS:") }
    ?.split(Regex("\\s+"))?.getOrNull(1)?.toLong() ?: -1

fun heapKb(): Long {
    repeat(3) { System.gc(); Thread.sleep(50) }
    val rt = Runtime.getRuntime()
    return (rt.totalMemory() - rt.freeMemory()) / 1024
}

fun main(args: Array<String>) {
    val n = args.firstOrNull()?.toInt() ?: 20_000
    val endpoint = Endpoint()
    val creds = Credentials(AK, SK)
    val signer = Signer(creds)
    val sdk = SignerV4Impl()

    // The same request, the same signature: both signers at the vector's fixed time.
    val fixed = sdk.getSignRequest(
        RequestParam.builder().isSignUrl(false).body(BODY.toByteArray()).host(HOST).path("/").method("POST")
            .date(Date(VECTOR_TIME * 1000))
            .queryList(listOf(BasicNameValuePair("Action", "ModifyMessage"), BasicNameValuePair("Version", "2020-12-01")))
            .headers(arrayOf(BasicHeader("Content-Type", "application/json")))
            .build(),
        sdkCredentials,
    )
    val ours = signer.modifyMessage(endpoint, edit(), VECTOR_TIME.toULong())
    check(ours.request().bodyText() == BODY) { "imedit body differs" }
    check(ours.stages().signature() == VECTOR_SIGNATURE) { "imedit signature differs" }
    check(fixed.authorization.endsWith("Signature=$VECTOR_SIGNATURE")) { "SDK signature differs: ${fixed.authorization}" }
    check(fixed.authorization == ours.stages().authorization()) { "Authorization differs" }

    val now = { (System.currentTimeMillis() / 1000).toULong() }
    val (sdkUs, sdkRuns) = measure(n, { sdkRequest() }) { sdk.sign(it as SdkRequest, sdkCredentials) }
    val (cachedUs, cachedRuns) = measure(n) { signer.modifyMessageRequest(endpoint, edit(), now()) }
    val (coldUs, coldRuns) = measure(n) { buildModifyMessageRequest(creds, endpoint, edit(), now()).use { it.request() } }
    val token = AppToken("t", 1uL)
    val (ffiUs, _) = measure(n * 10) { token.issuedAt() }
    val (ffiStringUs, _) = measure(n * 10) { rtcHost("cn-north-1") }

    // Memory over one million calls of the benchmarked operation.
    val samples = mutableListOf<Triple<Int, Long, Long>>()
    samples += Triple(0, rssKb(), heapKb())
    for (i in 1..1_000_000) {
        signer.modifyMessageRequest(endpoint, edit(), now())
        if (i % 250_000 == 0) samples += Triple(i, rssKb(), heapKb())
    }

    fun fmt(x: Double) = "%.2f".format(x)
    fun ratio(us: Double) = "%.2f".format(sdkUs / us)
    println("mm_basic ModifyMessage request (145-byte body), $n calls per run, median of $RUNS runs")
    println("%-66s %9s %12s".format("", "µs/call", "SDK ÷ this"))
    println("%-66s %9s %12s   runs %s".format("volc-sdk-java $SDK_VERSION SignerV4Impl.sign (sign only)", fmt(sdkUs), "1.00", sdkRuns.map(::fmt)))
    println("%-66s %9s %12s   runs %s".format("imedit Kotlin: build + sign, cached key (Signer.modifyMessageRequest)", fmt(cachedUs), ratio(cachedUs), cachedRuns.map(::fmt)))
    println("%-66s %9s %12s   runs %s".format("imedit Kotlin: build + sign, cold key (buildModifyMessageRequest)", fmt(coldUs), ratio(coldUs), coldRuns.map(::fmt)))
    println("%-66s %9s".format("one FFI call: object method returning u64 (AppToken.issuedAt)", "%.3f".format(ffiUs)))
    println("%-66s %9s".format("one FFI call: string in, string out (rtcHost)", "%.3f".format(ffiStringUs)))
    println("memory over 1,000,000 build + sign calls (RSS and heap after GC, KiB):")
    for ((i, rss, heap) in samples) println("  after %,9d calls: RSS %,7d  heap %,7d".format(i, rss, heap))
    println("same request, same Authorization as the SDK at the vector's time: ok")
}
