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
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft leases list|revoke|reserve}: the subnet leases in the store. */
@Command(name = "leases", mixinStandardHelpOptions = true, description = "List, revoke or reserve subnet leases.",
        subcommands = {LeasesCommand.ListLeases.class, LeasesCommand.Revoke.class, LeasesCommand.Reserve.class})
final class LeasesCommand extends GroupCommand {

    /** Prints every lease. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every lease, as a table or as JSON.")
    static final class ListLeases extends StoreCommand {
        @Mixin
        OutputFormatMixin output;

        @Override
        public Integer call() {
            List<Lease> leases;
            try (Store store = openStore()) {
                leases = store.listLeases(l -> true).leases().stream()
                        .sorted((a, b) -> a.subnet().compareTo(b.subnet())).toList();
            }
            PrintWriter out = out();
            if (output.json()) {
                out.println(json(leases));
                return 0;
            }
            String row = "%-18s %-15s %-8s %s%n";
            out.printf(row, "SUBNET", "PUBLIC-IP", "BACKEND", "EXPIRES");
            for (Lease l : leases) {
                out.printf(row, l.subnet(), l.attrs().publicIp(), l.attrs().backendType(),
                        l.isReservation() ? "never (reserved)" : l.expiration().orElseThrow().toString());
            }
            return 0;
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
                n.put("expiration", l.isReservation() ? null : l.expiration().orElseThrow().toString());
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
    static final class Revoke extends StoreCommand {
        @Parameters(paramLabel = "SUBNET", description = "e.g. 10.5.34.0/24 or 10.5.34.0-24")
        String subnet;

        @Override
        public Integer call() {
            Ipv4Subnet s = parseSubnet(subnet);
            try (Store store = openStore()) {
                if (!store.deleteLease(s)) {
                    throw new WeftException("no lease for subnet " + s + ": see the leases with: weft leases list");
                }
            }
            out().println("revoked lease " + s);
            return 0;
        }
    }

    /** Pins a subnet to a PublicIP with no TTL, evicting its holder when asked. */
    @Command(name = "reserve", mixinStandardHelpOptions = true, description = {
        "Pin SUBNET to PUBLIC_IP with a lease that never expires.",
        "With --evict, whatever lease holds SUBNET is replaced by the reservation in one atomic step;",
        "a running host that held it moves to another subnet."})
    static final class Reserve extends StoreCommand {
        /** How often the holder may change under us (renewed, moved) before the command gives up. */
        static final int MAX_ATTEMPTS = 10;

        @Parameters(index = "0", paramLabel = "SUBNET", description = "e.g. 10.5.34.0/24 or 10.5.34.0-24")
        String subnet;

        @Parameters(index = "1", paramLabel = "PUBLIC_IP", description = "The host's public address.")
        String publicIp;

        @Option(names = "--evict", description = "Replace the lease that holds SUBNET, if any, with the reservation.")
        boolean evict;

        @Override
        public Integer call() {
            Ipv4Subnet s = parseSubnet(subnet);
            Ipv4.parse("PUBLIC_IP", publicIp);
            LeaseAttrs reservation = LeaseAttrs.of(publicIp, "");
            try (Store store = openStore()) {
                NetworkConfig config = NetworkConfigParser.parse(store.readNetworkConfig());
                if (!config.fits(s)) {
                    throw new WeftException("subnet " + s + " does not fit the network config: it must be a /"
                            + config.subnetLen() + " from " + Ipv4.format(config.subnetMin().base()) + " to "
                            + Ipv4.format(config.subnetMax().base()) + " in Network " + config.network());
                }
                for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                    if (store.createLease(s, reservation, Store.NO_TTL) instanceof CreateResult.Created) {
                        out().println("reserved " + s + " for " + publicIp);
                        return 0;
                    }
                    Optional<Lease> holder = store.listLeases().leases().stream()
                            .filter(l -> l.subnet().equals(s)).findFirst();
                    if (holder.isEmpty()) {
                        continue; // it went meanwhile: create again
                    }
                    if (!evict) {
                        throw new WeftException("subnet " + s + " is already leased to "
                                + holder.get().attrs().publicIp() + ": revoke it first with: weft leases revoke " + s
                                + ", or replace it with: weft leases reserve " + s + " " + publicIp + " --evict");
                    }
                    // Conditional on the lease just read: a renewal in between makes us read it again.
                    if (store.updateLease(holder.get(), reservation, Store.NO_TTL).isPresent()) {
                        out().println("reserved " + s + " for " + publicIp + ", evicting the lease of "
                                + holder.get().attrs().publicIp());
                        return 0;
                    }
                }
            }
            throw new WeftException("subnet " + s + " changed hands " + MAX_ATTEMPTS
                    + " times while it was being reserved: run the command again");
        }
    }

    static Ipv4Subnet parseSubnet(String text) {
        return text.indexOf('-') > 0 ? Ipv4Subnet.parseKey(text) : Ipv4Subnet.parse("SUBNET", text);
    }
}
