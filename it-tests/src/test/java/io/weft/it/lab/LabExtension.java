package io.weft.it.lab;

import io.weft.core.testing.HostRequirements;
import io.weft.core.testing.HostRequirements.Need;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test a fresh {@link Lab} named after the test method and always closes it, printing every
 * lab log and each host's diagnostics first when the test failed. Installs missing Debian tools (etcd,
 * ping, iperf3). Where the lab cannot run (not root, no TUN) the test fails in CI and is skipped elsewhere
 * ({@link HostRequirements}).
 * Register with {@code @RegisterExtension final LabExtension lab = new LabExtension();}.
 */
public final class LabExtension implements BeforeEachCallback, AfterEachCallback {
    private Lab lab;
    private Thread hook;

    public Lab lab() {
        return lab;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        HostRequirements.require(Need.root(), Need.iproute2(), Need.tun());
        Lab.ensureTools();
        lab = new Lab(context.getRequiredTestMethod().getName());
        // If surefire kills the JVM (timeout), still remove the namespaces.
        Lab current = lab;
        hook = new Thread(current::close, "lab-cleanup-" + lab.name());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (lab == null) {
            return;
        }
        try {
            if (context.getExecutionException().isPresent()) {
                System.err.println("===== lab " + lab.name() + " logs\n" + lab.logs());
                System.err.println("===== lab " + lab.name() + " diagnostics\n" + lab.diagnostics());
            }
        } finally {
            lab.close();
            Runtime.getRuntime().removeShutdownHook(hook);
            lab = null;
        }
    }
}
