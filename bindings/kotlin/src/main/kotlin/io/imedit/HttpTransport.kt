package io.imedit

import java.io.IOException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest.BodyPublishers
import java.net.http.HttpResponse.BodyHandlers
import java.time.Duration

/**
 * Sends one request built by imedit and returns the reply, whatever its status.
 *
 * Implementations send the request exactly as built (method, URL, every header, body bytes) and
 * return the status, the headers and the raw body. When no reply arrives (connection refused,
 * reset, timeout) they throw [ImeditException.Transport], so that the retry advice is the same
 * in every language.
 */
fun interface HttpTransport {
    /** Sends [request] and returns the reply. Throws [ImeditException.Transport] when none arrived. */
    fun send(request: HttpRequest): HttpResponse
}

/**
 * An [HttpTransport] on the JDK's `java.net.http.HttpClient` (HTTP/1.1 by default).
 *
 * @param client the JDK client (share one per application).
 * @param timeout the limit for one request, from sending to the end of the reply.
 */
class JavaHttpTransport(
    private val client: HttpClient = defaultClient(),
    private val timeout: Duration = Duration.ofSeconds(30),
) : HttpTransport {

    override fun send(request: HttpRequest): HttpResponse {
        val body = if (request.body.isEmpty()) BodyPublishers.noBody() else BodyPublishers.ofByteArray(request.body)
        val builder = try {
            java.net.http.HttpRequest.newBuilder(URI.create(request.url)).timeout(timeout).method(request.method, body)
        } catch (e: IllegalArgumentException) {
            throw ImeditException.Transport("the JDK refused the URL: ${e.message}")
        }
        for (header in request.headers) {
            try {
                builder.header(header.name, header.value)
            } catch (e: IllegalArgumentException) {
                // Restricted headers (Host, Content-Length, Connection) are set by the client itself.
                throw ImeditException.Transport("the JDK refused the header ${header.name}")
            }
        }
        val reply = try {
            client.send(builder.build(), BodyHandlers.ofByteArray())
        } catch (e: IOException) {
            throw ImeditException.Transport("${e.javaClass.simpleName}: ${e.message ?: "no reply"}")
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
            throw ImeditException.Transport("interrupted while waiting for the reply")
        }
        val headers = reply.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
        return HttpResponse(reply.statusCode().toUShort(), headers, reply.body() ?: byteArrayOf())
    }

    /** Defaults. */
    companion object {
        /** An HTTP/1.1 client with a 10-second connect timeout that does not follow redirects. */
        fun defaultClient(): HttpClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()
    }
}

/**
 * Where the clients get the time and how they wait: the real clock by default, a simulated one
 * in tests.
 */
interface HostClock {
    /** Milliseconds since the Unix epoch. */
    fun nowMillis(): Long

    /** Waits [millis] milliseconds. */
    fun sleep(millis: Long)

    /** The system clock and `Thread.sleep`. */
    object System : HostClock {
        override fun nowMillis(): Long = java.lang.System.currentTimeMillis()
        override fun sleep(millis: Long) {
            if (millis > 0) Thread.sleep(millis)
        }
    }
}
