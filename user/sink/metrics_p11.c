// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-ins for p11-kit, so that the static binary links.
 *
 * libmicrohttpd is built with HTTPS support, which pulls GnuTLS into a
 * static link, and GnuTLS's PKCS#11 code calls p11-kit, of which Debian
 * ships no static library.  vblktrace never enables TLS nor touches
 * PKCS#11, so these are never called; if GnuTLS ever did, every call fails
 * cleanly (NULL: no module, no URI, no PIN).  metrics_http.c calls
 * vbt_metrics_tls_unused() so that this object is always linked.
 */
#include <stddef.h>

#include "sink/metrics.h"

void vbt_metrics_tls_unused(void)
{
}

#define P11_STUB(name)	void *name(void); void *name(void) { return NULL; }

P11_STUB(p11_kit_config_option)
P11_STUB(p11_kit_module_finalize)
P11_STUB(p11_kit_module_get_flags)
P11_STUB(p11_kit_module_get_name)
P11_STUB(p11_kit_module_load)
P11_STUB(p11_kit_module_release)
P11_STUB(p11_kit_modules_load)
P11_STUB(p11_kit_pin_file_callback)
P11_STUB(p11_kit_pin_get_length)
P11_STUB(p11_kit_pin_get_value)
P11_STUB(p11_kit_pin_new_for_string)
P11_STUB(p11_kit_pin_register_callback)
P11_STUB(p11_kit_pin_request)
P11_STUB(p11_kit_pin_unref)
P11_STUB(p11_kit_pin_unregister_callback)
P11_STUB(p11_kit_space_strdup)
P11_STUB(p11_kit_space_strlen)
P11_STUB(p11_kit_uri_format)
P11_STUB(p11_kit_uri_free)
P11_STUB(p11_kit_uri_get_attribute)
P11_STUB(p11_kit_uri_get_attributes)
P11_STUB(p11_kit_uri_get_module_info)
P11_STUB(p11_kit_uri_get_pin_source)
P11_STUB(p11_kit_uri_get_pin_value)
P11_STUB(p11_kit_uri_get_token_info)
P11_STUB(p11_kit_uri_match_module_info)
P11_STUB(p11_kit_uri_match_token_info)
P11_STUB(p11_kit_uri_new)
P11_STUB(p11_kit_uri_parse)
P11_STUB(p11_kit_uri_set_attribute)

const char *p11_kit_strerror(void);
const char *p11_kit_strerror(void)
{
	return "p11-kit is not linked into vblktrace";
}

const char *p11_kit_message(void);
const char *p11_kit_message(void)
{
	return "p11-kit is not linked into vblktrace";
}
