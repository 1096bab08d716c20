// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: redaction of hostile command lines and XML never
 * crashes, and a value marked secret never survives the scrub.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const opts[] = { "-object", "-drive", "-blockdev",
					    "-append", NULL };
	struct vbt_redactions r;
	char *s = strndup((const char *)data, size), *o;
	size_t n;

	if (!s)
		return 0;
	vbt_redact_init(&r);
	for (int i = 0; i < 5; i++) {
		o = vbt_redact_arg(&r, opts[i], s, "fuzz");
		free(o);
	}
	o = vbt_redact_words(&r, s, "fuzz");
	free(o);
	o = vbt_redact_xml(&r, (const char *)data, size, "fuzz");
	free(o);
	o = vbt_redact_scrub(&r, (const char *)data, size, &n);
	/*
	 * Blank the markers first: a "secret" like "=<redacte" reappears in
	 * "key=<redacted>" by construction, which is no leak.
	 */
	for (char *m = o; m && (m = memmem(m, n - (m - o), VBT_REDACTED,
					   strlen(VBT_REDACTED)));)
		memset(m, 0, strlen(VBT_REDACTED));
	for (int i = 0; o && i < r.nvalues; i++)
		if (strlen(r.values[i]) >= VBT_REDACT_MIN_SCRUB &&
		    memmem(o, n, r.values[i], strlen(r.values[i])))
			abort();	/* a secret survived the scrub */
	free(o);
	vbt_redact_free(&r);
	free(s);
	return 0;
}
