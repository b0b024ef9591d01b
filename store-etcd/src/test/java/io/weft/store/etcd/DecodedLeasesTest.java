package io.weft.store.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A lease is reused only for the very version (key and mod_revision) it was decoded from, and the cache is bounded. */
class DecodedLeasesTest {
    private static final String KEY = "/coreos.com/network/subnets/100.64.1.0-24";

    private static KeyValue kv(String key, long modRevision) {
        return new KeyValue(io.etcd.jetcd.api.KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key))
                .setModRevision(modRevision).build(), ByteSequence.EMPTY);
    }

    private static Lease lease(long revision) {
        return new Lease(Ipv4Subnet.parse("100.64.1.0/24"), LeaseAttrs.of("198.18.0.1", "udp"),
                Instant.parse("2026-12-02T00:00:00Z"), revision);
    }

    @Test
    void aLeaseIsReusedForItsOwnVersionOnly() {
        DecodedLeases decoded = new DecodedLeases();
        Lease at7 = lease(7);
        decoded.put(kv(KEY, 7).getKey(), at7);
        assertSame(at7, decoded.get(kv(KEY, 7)));
        assertNull(decoded.get(kv(KEY, 8)), "a later version of the key is decoded again");
        assertNull(decoded.get(kv(KEY.replace("1.0-24", "2.0-24"), 7)), "another key");
        decoded.remove(kv(KEY, 7).getKey());
        assertNull(decoded.get(kv(KEY, 7)), "deleted");
    }

    @Test
    void itHoldsAtMostMaxKeysWhateverIsWritten() {
        DecodedLeases decoded = new DecodedLeases();
        for (int i = 0; i < DecodedLeases.MAX_KEYS * 2 + 5; i++) {
            decoded.put(kv(KEY + "/" + i, 1).getKey(), lease(1));
        }
        assertEquals(5, decoded.size(), "emptied at the cap, then filled again");
    }
}
