package io.weft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft leases list|revoke|reserve}: the subnet leases in the store. */
@Command(name = "leases", mixinStandardHelpOptions = true, description = "List, revoke or reserve subnet leases.",
        subcommands = {LeasesCommand.ListLeases.class, LeasesCommand.Revoke.class, LeasesCommand.Reserve.class})
final class LeasesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: list, revoke or reserve");
    }

    /** Output formats of {@code leases list}. */
    enum Format { table, json }

    /** Prints every lease. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every lease, as a table or as JSON.")
    static final class ListLeases implements Runnable {
        private final WeftCli.Context context;

        @Mixin
        StoreOptionsMixin storeFlags;

        @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
                description = "table or json. Default: ${DEFAULT-VALUE}.")
        Format format;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        ListLeases(WeftCli.Context context) {
            this.context = context;
        }

        @Override
        public void run() {
            List<Lease> leases;
            try (Store store = StoreCommand.open(context, storeFlags)) {
                leases = store.listLeases().leases().stream().sorted((a, b) -> a.subnet().compareTo(b.subnet())).toList();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (format == Format.json) {
                out.println(json(leases));
                return;
            }
            String row = "%-18s %-15s %-8s %s%n";
            out.printf(row, "SUBNET", "PUBLIC-IP", "BACKEND", "EXPIRES");
            for (Lease l : leases) {
                out.printf(row, l.subnet(), l.attrs().publicIp(), l.attrs().backendType(),
                        l.isReservation() ? "never (reserved)" : l.expiration().toString());
            }
        }

        private static String json(List<Lease> leases) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode array = mapper.createArrayNode();
            for (Lease l : leases) {
                ObjectNode n = array.addObject();
                n.put("subnet", l.subnet().toString());
                n.put("publicIP", l.attrs().publicIp());
                n.put("publicIPv6", l.attrs().publicIpv6());
                n.put("backendType", l.attrs().backendType());
                n.set("backendData", l.attrs().backendData());
                n.put("expiration", l.isReservation() ? null : l.expiration().toString());
                n.put("reserved", l.isReservation());
            }
            try {
                return mapper.writeValueAsString(array);
            } catch (JsonProcessingException e) {
                throw new WeftException("leases could not be printed as JSON: " + e.getOriginalMessage(), e);
            }
        }
    }

    /** Deletes a lease. */
    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Delete the lease of SUBNET; its host re-acquires one.")
    static final class Revoke implements Runnable {
        private final WeftCli.Context context;

        @Mixin
        StoreOptionsMixin storeFlags;

        @Parameters(paramLabel = "SUBNET", description = "e.g. 10.5.34.0/24 or 10.5.34.0-24")
        String subnet;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Revoke(WeftCli.Context context) {
            this.context = context;
        }

        @Override
        public void run() {
            Ipv4Subnet s = parseSubnet(subnet);
            try (Store store = StoreCommand.open(context, storeFlags)) {
                if (!store.deleteLease(s)) {
                    throw new WeftException("no lease for subnet " + s + ": see the leases with: weft leases list");
                }
            }
            spec.commandLine().getOut().println("revoked lease " + s);
        }
    }

    /** Pins a subnet to a PublicIP with no TTL. */
    @Command(name = "reserve", mixinStandardHelpOptions = true, description = "Pin SUBNET to PUBLIC_IP with a lease that never expires.")
    static final class Reserve implements Runnable {
        private final WeftCli.Context context;

        @Mixin
        StoreOptionsMixin storeFlags;

        @Parameters(index = "0", paramLabel = "SUBNET", description = "e.g. 10.5.34.0/24 or 10.5.34.0-24")
        String subnet;

        @Parameters(index = "1", paramLabel = "PUBLIC_IP", description = "The host's public address.")
        String publicIp;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Reserve(WeftCli.Context context) {
            this.context = context;
        }

        @Override
        public void run() {
            Ipv4Subnet s = parseSubnet(subnet);
            Ipv4.parse("PUBLIC_IP", publicIp);
            try (Store store = StoreCommand.open(context, storeFlags)) {
                NetworkConfig config = NetworkConfigParser.parse(store.readNetworkConfig());
                if (!config.fits(s)) {
                    throw new WeftException("subnet " + s + " does not fit the network config: it must be a /"
                            + config.subnetLen() + " from " + Ipv4.format(config.subnetMin().base()) + " to "
                            + Ipv4.format(config.subnetMax().base()) + " in Network " + config.network());
                }
                CreateResult result = store.createLease(s, LeaseAttrs.of(publicIp, ""), Store.NO_TTL);
                if (result instanceof CreateResult.Exists) {
                    String holder = store.listLeases().leases().stream().filter(l -> l.subnet().equals(s))
                            .map(l -> l.attrs().publicIp()).findFirst().orElse("another host");
                    throw new WeftException("subnet " + s + " is already leased to " + holder
                            + ": revoke it first with: weft leases revoke " + s);
                }
            }
            spec.commandLine().getOut().println("reserved " + s + " for " + publicIp);
        }
    }

    static Ipv4Subnet parseSubnet(String text) {
        return text.indexOf('-') > 0 ? Ipv4Subnet.parseKey(text) : Ipv4Subnet.parse("SUBNET", text);
    }
}
