/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping secrets out of bundles.  Everything that goes into a bundle from
 * a command line, a kernel command line or libvirt XML passes through here
 * first: secret values are replaced by "<redacted>" and the redaction is
 * noted by name ("qemu pid 42: -object secret id=s0 data"), never by value.
 *
 * What counts as a secret: -object secret / secret_keyring data= and iv=,
 * keys naming a password, passphrase or token (password=, passwd=, ...),
 * a bare key= (rbd), URL userinfo (scheme://user:pass@host), the key= and
 * password elements of rbd: strings, libvirt <auth> and <secret> content
 * and password attributes.  Keys like password-secret= / key-secret= only
 * name a secret object; they stay, and the object they name is redacted.
 *
 * Every value redacted is also remembered, so that a last pass can scrub
 * it from anything else that is about to be written (vbt_redact_scrub).
 */
#ifndef VBT_REDACT_H
#define VBT_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define VBT_REDACTED "<redacted>"
#define VBT_REDACT_MAX 256		/* names and values kept */
#define VBT_REDACT_MIN_SCRUB 4		/* shorter values are not scrubbed */

struct vbt_redactions {
	char *what[VBT_REDACT_MAX];	/* what was redacted, by name */
	int nwhat;
	char *values[VBT_REDACT_MAX];	/* the secrets, to scrub elsewhere */
	int nvalues;
};

void vbt_redact_init(struct vbt_redactions *r);
void vbt_redact_free(struct vbt_redactions *r);
/* Note a redaction by name (deduplicated). */
void vbt_redact_note(struct vbt_redactions *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Remember a secret value so vbt_redact_scrub() removes it anywhere. */
void vbt_redact_value(struct vbt_redactions *r, const char *v, size_t len);

/* Does this option key name a secret (not a reference to one)? */
bool vbt_redact_key_is_secret(const char *key, size_t len, bool in_secret_obj);

/*
 * One argument of a command line, in the context of the option before it
 * (@opt, e.g. "-object", or NULL).  Returns a malloc'd copy, redacted;
 * @where names the command line in notes ("qemu pid 42").
 */
char *vbt_redact_arg(struct vbt_redactions *r, const char *opt,
		     const char *arg, const char *where);
/* Space-separated key=value words, as /proc/cmdline. */
char *vbt_redact_words(struct vbt_redactions *r, const char *s,
		       const char *where);
/* libvirt XML; NULL if it does not parse (the caller then leaves it out). */
char *vbt_redact_xml(struct vbt_redactions *r, const char *xml, size_t len,
		     const char *where);

/*
 * A copy of @buf with every remembered secret value replaced by
 * <redacted> (also in its JSON-escaped spelling).  *outlen gets the new
 * length; NULL on ENOMEM.
 */
char *vbt_redact_scrub(const struct vbt_redactions *r, const char *buf,
		       size_t len, size_t *outlen);

#endif
