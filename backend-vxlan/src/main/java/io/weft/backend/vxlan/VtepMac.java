package io.weft.backend.vxlan;

import io.weft.linux.MacAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The MAC a new VXLAN device gets: derived from this host's PublicIP and the VNI, so it is the same every time
 * the device is made again (after a reboot, or when someone deleted it) and peers' ARP and FDB entries for this
 * host stay right. flanneld picks a random address and keeps it only as long as the device lives (with the etcd
 * store); an existing device's MAC, flanneld's included, is kept as it is. Locally administered and unicast,
 * like flanneld's. Stateless.
 */
final class VtepMac {
    private VtepMac() {
    }

    static MacAddress derive(String publicIp, int vni) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest(("weft vxlan vtep " + publicIp + " vni " + vni).getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        byte[] mac = new byte[6];
        System.arraycopy(digest, 0, mac, 0, 6);
        mac[0] = (byte) ((mac[0] & 0xfe) | 0x02);
        return MacAddress.of(mac);
    }
}
