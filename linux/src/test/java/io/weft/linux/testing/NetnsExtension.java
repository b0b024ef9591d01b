package io.weft.linux.testing;

import io.weft.core.testing.HostRequirements;
import io.weft.core.testing.HostRequirements.Need;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test a fresh {@link Netns} named {@code <prefix>-<pid>} and always deletes it, once the host has what
 * the test needs ({@link HostRequirements}: else the test fails in CI and is skipped elsewhere). Runs before the
 * test's own {@code @BeforeEach} methods, which can build on the namespace. Register with
 * {@code @RegisterExtension final NetnsExtension namespace = new NetnsExtension("weft-x", Need.root(), ...);}.
 */
public final class NetnsExtension implements BeforeEachCallback, AfterEachCallback {
    private final String prefix;
    private final Need[] needs;
    private Netns netns;

    public NetnsExtension(String prefix, Need... needs) {
        this.prefix = prefix;
        this.needs = needs.clone();
    }

    /** The current test's namespace. */
    public Netns get() {
        if (netns == null) {
            throw new IllegalStateException("no namespace outside a test");
        }
        return netns;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        HostRequirements.require(needs);
        netns = Netns.create(prefix + "-" + ProcessHandle.current().pid());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (netns != null) {
            try {
                netns.close();
            } finally {
                netns = null;
            }
        }
    }
}
