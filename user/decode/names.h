/* SPDX-License-Identifier: GPL-2.0 */
/* Names for the numbers in event records: ops, flags, statuses, errnos. */
#ifndef VBT_NAMES_H
#define VBT_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

const char *vbt_op_name(int op);
int vbt_op_from_name(const char *name);
/* Decode an ftrace rwbs string ("WS", "FF", "D") into op and VBT_RQ_* flags. */
int vbt_op_from_rwbs(const char *rwbs, uint32_t *flags);
/* Writes the set flag names, separated by sep, into buf; returns count. */
int vbt_rq_flag_names(uint32_t flags, const char **names, int max);
const char *vbt_blk_status_name(int status);
/* blk_status_t -> positive errno, as the kernel's blk_status_to_errno(). */
int vbt_blk_status_errno(int status);
const char *vbt_virtio_status_name(int vs);
const char *vbt_errno_name(int err);
/* |err| as an int errno: the kernel's -EIO or a log's "error -5" made
 * positive without overflowing on INT_MIN or a 64-bit return value. */
int vbt_errno_abs(long long err);	/* "EIO"; "E123" for unknown */
int vbt_errno_from_name(const char *name);
const char *vbt_sys_name(int sys);
const char *vbt_kind_name(int kind);
/* IORING_OP_* (kind io_uring) or IOCB_CMD_* (kind aio) name */
const char *vbt_async_op_name(int kind, int opcode);

#endif
