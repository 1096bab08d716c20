// SPDX-License-Identifier: GPL-2.0
/*
 * The alert policy of 'vblktrace watch': the first error of a key alerts at
 * once, repeats are folded into one record per interval with their count,
 * recovery is reported once, and every event is counted somewhere.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "sink/alert.h"
#include "sink/alert_format.h"

#define S 1000000000ULL

struct rec {
	enum vbt_alert_type type;
	struct vbt_alert_key key;
	uint64_t events, total;
	bool has_ev;
};

struct sink {
	struct rec recs[64];
	int n;
};

static void collect(void *ctx, const struct vbt_alert *a)
{
	struct sink *k = ctx;

	if (k->n >= 64)
		return;
	k->recs[k->n].type = a->type;
	k->recs[k->n].key = *a->key;
	k->recs[k->n].events = a->events;
	k->recs[k->n].total = a->total;
	k->recs[k->n].has_ev = a->ev != NULL;
	k->n++;
}

static void ev_init(struct vbt_event *ev, const char *vm, const char *drive,
		    int err, uint64_t t)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = VBT_KIND_SYSCALL;
	ev->sys.sys = VBT_SYS_PWRITEV;
	ev->err = err;
	ev->mono_ns = t;
	ev->host.known = true;
	snprintf(ev->host.vm, sizeof(ev->host.vm), "%s", vm);
	snprintf(ev->host.drive, sizeof(ev->host.drive), "%s", drive);
}

static void feed(struct vbt_alerts *a, const char *vm, const char *drive,
		 int err, uint64_t t)
{
	struct vbt_event ev;
	struct vbt_alert_key key;

	ev_init(&ev, vm, drive, err, t);
	vbt_alert_key_of(&ev, NULL, &key);
	vbt_alerts_feed(a, &key, &ev, t);
}

FIXTURE(alert) {
	struct vbt_alerts a;
	struct sink k;
};

FIXTURE_SETUP(alert)
{
	memset(&self->k, 0, sizeof(self->k));
	ASSERT_EQ(0, vbt_alerts_init(&self->a, 10 * S, 0, collect, &self->k));
}

FIXTURE_TEARDOWN(alert)
{
	vbt_alerts_free(&self->a);
}

TEST_F(alert, first_error_alerts_at_once_with_the_event)
{
	feed(&self->a, "vm1", "disk0", ENOSPC, 100 * S);
	ASSERT_EQ(1, self->k.n);
	EXPECT_EQ(VBT_ALERT_ERROR, self->k.recs[0].type);
	EXPECT_TRUE(self->k.recs[0].has_ev);
	EXPECT_EQ(1, self->k.recs[0].events);
	EXPECT_STREQ("vm1", self->k.recs[0].key.vm);
	EXPECT_STREQ("disk0", self->k.recs[0].key.drive);
	EXPECT_STREQ("WRITE", self->k.recs[0].key.op);
	EXPECT_EQ(ENOSPC, self->k.recs[0].key.err);
}

TEST_F(alert, repeats_fold_into_one_record_per_interval)
{
	feed(&self->a, "vm1", "disk0", EIO, 100 * S);
	for (int i = 1; i <= 50; i++)
		feed(&self->a, "vm1", "disk0", EIO, 100 * S + i * (S / 10));
	vbt_alerts_tick(&self->a, 105 * S);	/* before the window ends */
	EXPECT_EQ(1, self->k.n);
	vbt_alerts_tick(&self->a, 110 * S);
	ASSERT_EQ(2, self->k.n);
	EXPECT_EQ(VBT_ALERT_REPEAT, self->k.recs[1].type);
	EXPECT_EQ(50, self->k.recs[1].events);
	EXPECT_EQ(51, self->k.recs[1].total);
	EXPECT_FALSE(self->k.recs[1].has_ev);
	EXPECT_EQ(51, self->a.events);
}

TEST_F(alert, recovery_is_reported_once_then_a_new_episode_alerts)
{
	feed(&self->a, "vm1", "disk0", EIO, 100 * S);
	feed(&self->a, "vm1", "disk0", EIO, 101 * S);
	vbt_alerts_tick(&self->a, 110 * S);	/* repeat: 1 */
	vbt_alerts_tick(&self->a, 115 * S);	/* 14 s quiet, window open */
	EXPECT_EQ(2, self->k.n);
	vbt_alerts_tick(&self->a, 120 * S);	/* window over, 19 s quiet */
	ASSERT_EQ(3, self->k.n);
	EXPECT_EQ(VBT_ALERT_RECOVERED, self->k.recs[2].type);
	EXPECT_EQ(2, self->k.recs[2].total);
	for (int i = 0; i < 5; i++)
		vbt_alerts_tick(&self->a, (130 + i * 10) * S);
	EXPECT_EQ(3, self->k.n);
	EXPECT_EQ(0, self->a.nkeys);
	feed(&self->a, "vm1", "disk0", EIO, 200 * S);
	ASSERT_EQ(4, self->k.n);
	EXPECT_EQ(VBT_ALERT_ERROR, self->k.recs[3].type);
	EXPECT_EQ(1, self->k.recs[3].total);
}

TEST_F(alert, no_recovery_while_errors_continue)
{
	uint64_t t;

	feed(&self->a, "vm1", "disk0", EIO, 100 * S);
	for (t = 101; t < 200; t += 3) {
		feed(&self->a, "vm1", "disk0", EIO, t * S);
		vbt_alerts_tick(&self->a, t * S);
	}
	for (int i = 0; i < self->k.n; i++)
		EXPECT_NE(VBT_ALERT_RECOVERED, self->k.recs[i].type);
}

TEST_F(alert, keys_are_vm_drive_op_errno)
{
	struct vbt_event ev;
	struct vbt_alert_key key;

	feed(&self->a, "vm1", "disk0", EIO, 100 * S);
	feed(&self->a, "vm1", "disk1", EIO, 100 * S);
	feed(&self->a, "vm2", "disk0", EIO, 100 * S);
	feed(&self->a, "vm1", "disk0", ENOSPC, 100 * S);
	ev_init(&ev, "vm1", "disk0", EIO, 100 * S);
	ev.sys.sys = VBT_SYS_PREADV;
	vbt_alert_key_of(&ev, NULL, &key);
	EXPECT_STREQ("READ", key.op);
	vbt_alerts_feed(&self->a, &key, &ev, 100 * S);
	EXPECT_EQ(5, self->k.n);
	feed(&self->a, "vm1", "disk0", EIO, 101 * S);
	EXPECT_EQ(5, self->k.n);
}

TEST_F(alert, flush_reports_what_was_folded)
{
	feed(&self->a, "vm1", "disk0", EIO, 100 * S);
	feed(&self->a, "vm1", "disk0", EIO, 101 * S);
	feed(&self->a, "vm1", "disk0", EIO, 102 * S);
	vbt_alerts_flush(&self->a, 103 * S);
	ASSERT_EQ(2, self->k.n);
	EXPECT_EQ(VBT_ALERT_REPEAT, self->k.recs[1].type);
	EXPECT_EQ(2, self->k.recs[1].events);
}

TEST(overflow_key_counts_what_does_not_fit)
{
	struct vbt_alerts a;
	struct sink k = { 0 };
	uint64_t sum = 0;
	char vm[16];

	ASSERT_EQ(0, vbt_alerts_init(&a, 10 * S, 3, collect, &k));
	for (int i = 0; i < 10; i++) {
		snprintf(vm, sizeof(vm), "vm%d", i);
		feed(&a, vm, "d", EIO, 100 * S);
	}
	EXPECT_EQ(7, a.overflowed);
	EXPECT_LE(a.nkeys, 4);
	vbt_alerts_flush(&a, 101 * S);
	for (int i = 0; i < k.n; i++)
		sum += k.recs[i].events;
	EXPECT_EQ(10, sum);
	EXPECT_STREQ(VBT_ALERT_OVERFLOW, k.recs[3].key.vm);
	vbt_alerts_free(&a);
}

TEST(host_disk_errors_are_keyed_by_disk)
{
	struct vbt_event ev;
	struct vbt_alert_key key;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VBT_KIND_BLOCK;
	ev.blk.op = VBT_OP_FLUSH;
	ev.err = EIO;
	vbt_alert_key_of(&ev, "loop3", &key);
	EXPECT_STREQ("", key.vm);
	EXPECT_STREQ("loop3", key.drive);
	EXPECT_STREQ("FLUSH", key.op);
}

TEST(op_class_of_async_completions)
{
	struct vbt_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VBT_KIND_IO_URING;
	ev.async.opcode = 2;		/* IORING_OP_WRITEV */
	EXPECT_STREQ("WRITE", vbt_event_op_class(&ev));
	ev.async.opcode = 22;		/* IORING_OP_READ */
	EXPECT_STREQ("READ", vbt_event_op_class(&ev));
	ev.async.opcode = 3;		/* IORING_OP_FSYNC */
	EXPECT_STREQ("FLUSH", vbt_event_op_class(&ev));
	ev.kind = VBT_KIND_AIO;
	ev.async.opcode = 8;		/* IOCB_CMD_PWRITEV */
	EXPECT_STREQ("WRITE", vbt_event_op_class(&ev));
	ev.kind = VBT_KIND_SYSCALL;
	ev.sys.sys = VBT_SYS_FDATASYNC;
	EXPECT_STREQ("FLUSH", vbt_event_op_class(&ev));
}

TEST(syslog_text_escapes_hostile_names)
{
	struct vbt_alert_key key = { .op = "WRITE", .err = EIO };
	struct vbt_alert a = { .type = VBT_ALERT_REPEAT, .key = &key,
			       .events = 3, .total = 4 };
	char line[512];

	strcpy(key.vm, "evil\nvblktrace: fake line \"x\"");
	strcpy(key.drive, "d0");
	vbt_alert_text(&a, 10 * S, line, sizeof(line));
	EXPECT_EQ(NULL, strchr(line, '\n'));
	EXPECT_NE(NULL, strstr(line, "evil\\nvblktrace: fake line \\\"x\\\""));
	EXPECT_NE(NULL, strstr(line, "3 more times"));
}

TEST_HARNESS_MAIN
