/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The in-flight issuer table: one slot per request, picked by hashing the
 * request pointer.  guest_block writes it when a request starts and reads
 * it when one fails; guest_stuck scans it for requests in flight too long
 * (userspace hands it guest_block's map, so both see the same slots).
 */
#ifndef VBT_ISSUERS_BPF_H
#define VBT_ISSUERS_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "vblktrace/abi.h"

/*
 * The request's op and sector range when it entered tell a later user of
 * the same request pointer apart (rq->start_time_ns cannot: since 6.5 it is
 * stamped after block_io_start fires).  64 bytes: one cache line per slot.
 */
struct issuer {
	__u64 rq; /* owner of the slot: see SLOT_BUSY */
	__u64 start_ns; /* insert/issue path; block_io_start: see on_complete */
	__u64 issue_ns;
	__u64 sector;
	__u32 nr_sectors;
	__u32 opf;
	__u32 pid;
	__u32 tid;
	char comm[VBT_COMM_LEN];
};

/*
 * 2^16 slots (4 MiB).  Two requests in flight at once rarely hash to the
 * same slot; when they do, the later one owns it and the earlier one's
 * failure is reported with its issuer unknown, never with a wrong one.
 */
#define ISSUER_SLOT_BITS 16
#define ISSUER_SLOTS (1U << ISSUER_SLOT_BITS)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ISSUER_SLOTS);
	__type(key, __u32);
	__type(value, struct issuer);
} issuers SEC(".maps");

/*
 * The owner word: 0 free; SLOT_BUSY while a CPU writes the slot (see
 * slot_claim(); no request is at an odd address); a request pointer, which
 * as a signed number is negative (kernel addresses are in the upper half
 * on x86-64 and arm64, the architectures vblktrace builds for); or, once
 * guest_stuck reported that request stuck, the pointer with its top bit
 * cleared: positive.  So "busy or stuck" is one signed test, as cheap as
 * the "busy" test alone was: slot_claim() refuses both, and a stuck
 * request keeps its slot until its end is reported, even when its pointer
 * is used again.  (A pointer that were positive would only never get a
 * slot: issuer unknown, never wrong.)
 */
#define SLOT_BUSY 1ULL
#define SLOT_TOP (1ULL << 63)

/* Taken (busy or stuck): claims keep off. */
static __always_inline bool slot_taken(__u64 owner)
{
	return (__s64)owner > 0;
}

/* Reported stuck: positive and not SLOT_BUSY. */
static __always_inline bool slot_stuck(__u64 owner)
{
	return (__s64)owner > (__s64)SLOT_BUSY;
}

/* The request key of an owner word, stuck or not. */
static __always_inline __u64 slot_key(__u64 owner)
{
	return owner | SLOT_TOP;
}

/*
 * tp_btf programs get a trusted request pointer and may load from it
 * directly; raw_tp programs must probe-read.  'direct' is a constant in
 * each program, so only one of the two survives compilation.
 */
#define RQ_READ(direct, rq, field) \
	((direct) ? (rq)->field : BPF_CORE_READ(rq, field))

/*
 * The request pointer's value as a plain number, for the slot owner.
 * Storing and comparing a pointer as a number is allowed with CAP_PERFMON.
 */
static __always_inline __u64 rq_key(struct request *rq)
{
	return (__u64)rq;
}

/*
 * Multiplying a typed pointer is refused by the verifier, but copying its
 * low 32 bits (a 32-bit move) yields a plain number.  Requests are at least
 * 256 bytes apart, so the low bits alone spread as well as the whole.
 */
static __always_inline __u32 rq_low32(struct request *rq)
{
	__u32 lo;

	asm volatile("%[lo] = %[rq]" : [lo] "=w"(lo) : [rq] "w"(rq));
	return lo;
}

static __always_inline __u32 slot_index(struct request *rq)
{
	/* Fibonacci hashing spreads the allocator's regular strides. */
	return (rq_low32(rq) * 0x9E3779B9U) >> (32 - ISSUER_SLOT_BITS);
}

static __always_inline struct issuer *slot_of(struct request *rq)
{
	__u32 idx = slot_index(rq);

	return bpf_map_lookup_elem(&issuers, &idx);
}

/* Is this entry about the request now completing, or an earlier one? */
static __always_inline bool same_request(struct issuer *is, struct request *rq,
					 bool direct)
{
	__u64 sector = RQ_READ(direct, rq, __sector);

	/* Partial completions advance __sector within the original range. */
	return is->opf == (RQ_READ(direct, rq, cmd_flags) & 0xff) &&
	       sector >= is->sector && sector <= is->sector + is->nr_sectors;
}

#endif /* VBT_ISSUERS_BPF_H */
