package io.weft.cli.doctor;

import java.util.Objects;

/**
 * One line of {@code weft doctor}'s report: what was checked, on what, the result, and for a failure the likely cause
 * and the fix. Immutable.
 *
 * @param scope   {@code host}, {@code store} or {@code peer}
 * @param subject what was checked: {@code this host}, the store, or a peer as {@code SUBNET (PUBLIC_IP)}
 * @param name    the check, e.g. {@code ip_forward} or {@code path-mtu}
 * @param result  ok, fail, or skip (could not be checked, and why is in the detail)
 * @param detail  what was seen
 * @param cause   for a failure, the likely cause; else empty
 * @param fix     for a failure, what to do; else empty
 */
public record Check(String scope, String subject, String name, Result result, String detail, String cause,
        String fix) {
    /** A check's outcome. */
    public enum Result { ok, fail, skip }

    public Check {
        Objects.requireNonNull(scope, "scope is null");
        Objects.requireNonNull(subject, "subject is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(result, "result is null");
        Objects.requireNonNull(detail, "detail is null");
        cause = cause == null ? "" : cause;
        fix = fix == null ? "" : fix;
    }

    static Check ok(String scope, String subject, String name, String detail) {
        return new Check(scope, subject, name, Result.ok, detail, "", "");
    }

    static Check skip(String scope, String subject, String name, String why) {
        return new Check(scope, subject, name, Result.skip, why, "", "");
    }

    static Check fail(String scope, String subject, String name, String detail, String cause, String fix) {
        return new Check(scope, subject, name, Result.fail, detail, cause, fix);
    }

    public boolean failed() {
        return result == Result.fail;
    }
}
