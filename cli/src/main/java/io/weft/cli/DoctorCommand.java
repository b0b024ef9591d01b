package io.weft.cli;

import io.weft.cli.doctor.Check;
import io.weft.cli.doctor.Doctor;
import io.weft.cli.doctor.DoctorReport;
import io.weft.core.WeftException;
import io.weft.core.daemon.SubnetEnvFile;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code weft doctor}: why containers here cannot reach another host's, and how to fix it. */
@Command(name = "doctor", mixinStandardHelpOptions = true, description = {
    "Check this host, the store and the path to each peer; say for each check",
    "what was seen and, when it fails, the likely cause and the fix.",
    "This host: the daemon is ready; the device has the lease's address and",
    "MTU; the routes; ip_forward; rp_filter; the FORWARD chain; subnet.env;",
    "the underlay interface's MTU.",
    "The store: it answers; this host's lease is there and not about to",
    "expire; no other lease claims this host's PublicIP.",
    "Each peer (or the one --peer names): ICMP echo to its PublicIP over the",
    "underlay, and to its device address through weft's own data path; then",
    "echoes with DF set find the path MTU, and the Backend.MTU to set when",
    "full-size packets die. When the overlay does not answer, the cause is",
    "told apart where it can be: the underlay, a PublicIP this host's packets",
    "do not leave from, a stopped peer daemon (its backend port answers port",
    "unreachable), or a blocked port. For ipsec: a current SA each way, and",
    "the peer's clock within the skew allowed (give doctor the daemon's",
    "--ipsec-state-dir and --ipsec-psk-file).",
    "Changes nothing; needs root (raw ICMP sockets). Runs next to the daemon,",
    "in its network namespace. Probes run in parallel with timeouts: within",
    "10 s for 100 peers.",
    "Exit codes: 0 every check passed, 1 a check failed, 2 usage error."})
final class DoctorCommand extends StoreCommand {
    @Mixin
    DaemonEndpoint endpoint;

    @Mixin
    OutputFormatMixin output;

    @Option(names = "--peer", paramLabel = "SUBNET|PUBLIC_IP",
            description = "Check only this peer, by its subnet (e.g. 10.5.34.0/24) or PublicIP.")
    String peer;

    @Mixin
    IpsecHostOptions ipsec;

    @Option(names = "--subnet-file", paramLabel = "FILE", defaultValue = SubnetEnvFile.DEFAULT_PATH_TEXT,
            description = "The daemon's --subnet-file. Default: ${DEFAULT-VALUE}.")
    Path subnetFile;

    @Override
    public Integer call() throws InterruptedException {
        Doctor.PeerFilter filter = filter();
        Doctor doctor = new Doctor(new Doctor.Endpoint() {
            @Override
            public String status() throws InterruptedException {
                return endpoint.get("/status");
            }

            @Override
            public Optional<String> notReady() throws InterruptedException {
                DaemonEndpoint.Answer a = endpoint.fetch("/readyz");
                return a.status() == 200 ? Optional.empty() : Optional.of(a.body().strip());
            }
        }, config -> context().backends().get("ipsec").report("sa", "json", config, ipsec.stateDir(),
                ipsec.pskFile()), this::openStore, subnetFile, Clock.systemUTC());
        List<Check> checks;
        try {
            checks = doctor.run(filter);
        } catch (Doctor.NoSuchPeer e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (output.json()) {
            DoctorReport.json(checks, out());
        } else {
            DoctorReport.table(checks, out());
        }
        return DoctorReport.exitCode(checks);
    }

    /** {@code --peer} as a subnet (with / or flannel's -) or a PublicIP; a usage error names the flag. */
    private Doctor.PeerFilter filter() {
        if (peer == null) {
            return Doctor.PeerFilter.ALL;
        }
        try {
            if (peer.contains("/") || peer.indexOf('-') > 0) {
                return new Doctor.PeerFilter(Optional.of(LeasesCommand.parseSubnet(peer)), Optional.empty());
            }
            Ipv4.parse("--peer", peer);
            return new Doctor.PeerFilter(Optional.empty(), Optional.of(peer));
        } catch (WeftException e) {
            throw new ParameterException(spec.commandLine(), "--peer " + peer + " is neither a subnet such as"
                    + " 10.5.34.0/24 nor a PublicIP such as 198.18.0.2: " + e.getMessage());
        }
    }
}
