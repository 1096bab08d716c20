// SPDX-License-Identifier: GPL-2.0
/*
 * json_floor GUEST HOST: what json-c alone costs on two recordings, the
 * floor under 'vblktrace merge' (which must parse every line with json-c,
 * bench/merge.sh): each file read whole, every line parsed by one reused
 * tokener with the reader's flags and the object freed at once, the two
 * files in two threads as merge reads them.  Prints the wall seconds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "decode/recording.h"
#include "util/json.h"

struct side {
	const char *path;
	size_t lines;
	int ret;
};

static void *parse_all(void *arg)
{
	struct side *s = arg;
	struct json_tokener *tok = vbt_json_tokener(8, VBT_JSON_STRICT);
	char *buf, err[128];
	size_t len, pos = 0;

	s->ret = vbt_read_file_max(s->path, VBT_REC_MAX_BYTES, &buf, &len);
	if (s->ret || !tok)
		return NULL;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		struct json_object *o;

		o = vbt_json_parse_tok(tok, buf + pos, n, err, sizeof(err));
		if (!o) {
			s->ret = -1;
			break;
		}
		json_object_put(o);
		s->lines++;
		pos += n + 1;
	}
	json_tokener_free(tok);
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	struct side s[2] = { { .path = argv[1] }, { .path = argv[2] } };
	struct timespec t0, t1;
	pthread_t t;

	if (argc != 3) {
		fprintf(stderr, "usage: json_floor GUEST HOST\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pthread_create(&t, NULL, parse_all, &s[1]))
		return 1;
	parse_all(&s[0]);
	pthread_join(t, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (s[0].ret || s[1].ret) {
		fprintf(stderr, "json_floor: cannot read or parse the input\n");
		return 1;
	}
	printf("%.2f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
