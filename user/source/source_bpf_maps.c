// SPDX-License-Identifier: GPL-2.0
/*
 * The maps every BPF object of a source shares: one ring buffer, so the
 * records of all objects come out in one order, one loss counter and one
 * set of error counts.  Its own file: each object's loader calls it, and
 * source_bpf.c calls the loaders.
 */
#include <bpf/libbpf.h>

#include "source/source_bpf_int.h"

int vbt_bpf_share_maps(const struct bpf_source *bs, struct bpf_map *events,
		       struct bpf_map *lost, struct bpf_map *errors)
{
	int ret = bpf_map__reuse_fd(events, bs->events_fd);

	if (!ret)
		ret = bpf_map__reuse_fd(lost, bs->lost_fd);
	if (!ret && errors)
		ret = bpf_map__reuse_fd(errors, bs->errors_fd);
	return ret;
}
