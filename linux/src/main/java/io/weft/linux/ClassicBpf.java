package io.weft.linux;

import java.util.ArrayList;
import java.util.List;

/**
 * A classic BPF program (Linux {@code struct sock_filter} instructions) as a list of opcodes, for the socket
 * options that take one ({@code SO_ATTACH_REUSEPORT_CBPF}). Only the instructions weft uses have builders;
 * each is the kernel's {@code BPF_STMT}/{@code BPF_JUMP} with the opcode spelled out. Immutable once built.
 */
public final class ClassicBpf {
    // Instruction classes, sizes, modes and operations from linux/bpf_common.h.
    private static final int LD = 0x00;
    private static final int LDX = 0x01;
    private static final int ST = 0x02;
    private static final int ALU = 0x04;
    private static final int JMP = 0x05;
    private static final int RET = 0x06;
    private static final int W = 0x00;
    private static final int B = 0x10;
    private static final int ABS = 0x20;
    private static final int IND = 0x40;
    private static final int MEM = 0x60;
    private static final int MSH = 0xa0;
    private static final int K = 0x00;
    private static final int X = 0x08;
    private static final int A = 0x10;
    private static final int JEQ = 0x10;
    private static final int MUL = 0x20;
    private static final int RSH = 0x70;
    private static final int MOD = 0x90;
    private static final int XOR = 0xa0;

    /** The size of one {@code struct sock_filter}: u16 code, u8 jt, u8 jf, u32 k. */
    static final int INSTRUCTION_BYTES = 8;
    /** The kernel's limit on a classic program's length ({@code BPF_MAXINSNS}). */
    static final int MAX_INSTRUCTIONS = 4096;

    private final List<long[]> instructions;

    private ClassicBpf(List<long[]> instructions) {
        this.instructions = List.copyOf(instructions);
    }

    /** The number of instructions. */
    public int length() {
        return instructions.size();
    }

    /** Instruction {@code i} as {code, jt, jf, k}. */
    long[] instruction(int i) {
        return instructions.get(i).clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Appends instructions in order; jump offsets count instructions after the jump, as in the kernel. */
    public static final class Builder {
        private final List<long[]> list = new ArrayList<>();

        private Builder add(int code, int jt, int jf, long k) {
            if (list.size() == MAX_INSTRUCTIONS) {
                throw new IllegalStateException("a classic BPF program holds at most " + MAX_INSTRUCTIONS
                        + " instructions");
            }
            list.add(new long[] {code, jt, jf, k & 0xFFFFFFFFL});
            return this;
        }

        /** {@code A = packet[offset..offset+4)} (big-endian); a read past the end ends the program with 0. */
        public Builder loadWord(int offset) {
            return add(LD | W | ABS, 0, 0, offset);
        }

        /** {@code A = packet[offset]}. */
        public Builder loadByte(int offset) {
            return add(LD | B | ABS, 0, 0, offset);
        }

        /** {@code A = packet[X + offset..+4)}. */
        public Builder loadWordAtX(int offset) {
            return add(LD | W | IND, 0, 0, offset);
        }

        /** {@code X = 4 * (packet[offset] & 0xf)}: an IPv4 header's length. */
        public Builder loadIpHeaderLengthIntoX(int offset) {
            return add(LDX | B | MSH, 0, 0, offset);
        }

        /** {@code M[slot] = A}. */
        public Builder store(int slot) {
            return add(ST, 0, 0, slot);
        }

        /** {@code A = M[slot]}. */
        public Builder loadScratch(int slot) {
            return add(LD | W | MEM, 0, 0, slot);
        }

        /** {@code X = M[slot]}. */
        public Builder loadScratchIntoX(int slot) {
            return add(LDX | W | MEM, 0, 0, slot);
        }

        /** {@code A ^= X}. */
        public Builder xorX() {
            return add(ALU | XOR | X, 0, 0, 0);
        }

        /** {@code A *= k} (32 bits, wrapping). */
        public Builder multiply(int k) {
            return add(ALU | MUL | K, 0, 0, k);
        }

        /** {@code A >>>= k}. */
        public Builder shiftRight(int k) {
            return add(ALU | RSH | K, 0, 0, k);
        }

        /** {@code A %= k} (unsigned). */
        public Builder modulo(int k) {
            if (k == 0) {
                throw new IllegalArgumentException("modulo 0");
            }
            return add(ALU | MOD | K, 0, 0, k);
        }

        /** {@code if (A == k)} skip {@code whenEqual} instructions, else skip {@code otherwise}. */
        public Builder jumpIfEqual(int k, int whenEqual, int otherwise) {
            if (whenEqual < 0 || whenEqual > 255 || otherwise < 0 || otherwise > 255) {
                throw new IllegalArgumentException("jump offsets are 0 to 255");
            }
            return add(JMP | JEQ | K, whenEqual, otherwise, k);
        }

        /** Ends the program with {@code A}. */
        public Builder returnA() {
            return add(RET | A, 0, 0, 0);
        }

        public ClassicBpf build() {
            if (list.isEmpty()) {
                throw new IllegalStateException("an empty classic BPF program");
            }
            return new ClassicBpf(list);
        }
    }
}
