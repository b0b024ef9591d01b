package io.weft.cli;

import io.weft.core.WeftException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The running daemon's local endpoint ({@code --healthz-ip}, {@code --healthz-port}) as the admin commands read it:
 * the flags, declared once, and a GET within 5 s. A mixin; one instance per command run, on one thread at a time.
 */
final class DaemonEndpoint {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Option(names = "--healthz-ip", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "The daemon's --healthz-ip. Default: ${DEFAULT-VALUE}.")
    String ip;

    @Option(names = "--healthz-port", paramLabel = "PORT", defaultValue = "" + DaemonCommand.DEFAULT_HEALTHZ_PORT,
            description = "The daemon's --healthz-port. Default: ${DEFAULT-VALUE}.")
    int port;

    private HttpClient client;

    String url(String path) {
        return "http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port + path;
    }

    /**
     * The body of a GET of {@code path}, e.g. {@code /status}, when the answer is 200.
     *
     * @throws WeftException when the daemon cannot be reached or answers another status, naming the URL and the fix
     */
    String get(String path) throws InterruptedException {
        Answer a = fetch(path);
        if (a.status() != 200) {
            throw new WeftException("the daemon at " + url(path) + " answered HTTP " + a.status());
        }
        return a.body();
    }

    /** A GET's status and body, whatever the status. */
    record Answer(int status, String body) {
    }

    /**
     * A GET of {@code path}, whatever its status.
     *
     * @throws WeftException when the daemon cannot be reached, naming the URL and the fix
     */
    Answer fetch(String path) throws InterruptedException {
        String url = url(path);
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
        try {
            HttpResponse<String> res = client.send(req, HttpResponse.BodyHandlers.ofString());
            return new Answer(res.statusCode(), res.body());
        } catch (ConnectException e) {
            throw new WeftException("cannot reach the weft daemon at " + url
                    + ": connection refused; is it running, and with this --healthz-port?");
        } catch (IOException e) {
            throw new WeftException("cannot reach the weft daemon at " + url + ": " + e
                    + "; is it running, and with this --healthz-port?");
        }
    }
}
