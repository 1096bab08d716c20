// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-ins for the GnuTLS functions libmicrohttpd refers to, so that the
 * static binary does not carry GnuTLS.
 *
 * Debian builds libmicrohttpd with HTTPS support, so its daemon code calls
 * GnuTLS, and a static link pulled in libgnutls with nettle, hogweed, gmp,
 * libtasn1, libidn2 and libunistring: 2.8 MB of the binary, and a
 * gnutls_global_init() (a config file lookup and a random seed) at every
 * start, from libmicrohttpd's constructor.  vblktrace serves its metrics
 * over plain HTTP and never passes MHD_USE_TLS, so none of the TLS
 * functions is ever called: each here fails with
 * GNUTLS_E_UNIMPLEMENTED_FEATURE (a daemon asked for TLS would not
 * start), and initialisation does nothing and succeeds.
 *
 * Static build only (the Makefile defines VBT_NO_GNUTLS there): in a
 * dynamic build these would interpose on the real libgnutls.
 * metrics_http.c calls vbt_metrics_tls_unused() so that this object is
 * linked before libmicrohttpd asks for the symbols.
 */
#include <stddef.h>

#include "sink/metrics.h"

void vbt_metrics_tls_unused(void)
{
}

#ifdef VBT_NO_GNUTLS
#include <stdlib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#define NO_TLS GNUTLS_E_UNIMPLEMENTED_FEATURE

gnutls_alloc_function gnutls_malloc = malloc;

int gnutls_global_init(void)
{
	return 0;
}

void gnutls_global_deinit(void)
{
}

const char *gnutls_strerror(int error)
{
	return "TLS is not built into this vblktrace";
}

int gnutls_init(gnutls_session_t *session, unsigned int flags)
{
	return NO_TLS;
}

void gnutls_deinit(gnutls_session_t session)
{
}

int gnutls_priority_init(gnutls_priority_t *priority_cache,
			 const char *priorities, const char **err_pos)
{
	return NO_TLS;
}

void gnutls_priority_deinit(gnutls_priority_t priority_cache)
{
}

int gnutls_priority_set(gnutls_session_t session, gnutls_priority_t priority)
{
	return NO_TLS;
}

int gnutls_alpn_set_protocols(gnutls_session_t session,
			      const gnutls_datum_t *protocols,
			      unsigned int protocols_size, unsigned int flags)
{
	return NO_TLS;
}

int gnutls_handshake(gnutls_session_t session)
{
	return NO_TLS;
}

int gnutls_bye(gnutls_session_t session, gnutls_close_request_t how)
{
	return NO_TLS;
}

ssize_t gnutls_record_recv(gnutls_session_t session, void *data,
			   size_t data_size)
{
	return NO_TLS;
}

ssize_t gnutls_record_send(gnutls_session_t session, const void *data,
			   size_t data_size)
{
	return NO_TLS;
}

size_t gnutls_record_check_pending(gnutls_session_t session)
{
	return 0;
}

int gnutls_record_get_direction(gnutls_session_t session)
{
	return 0;
}

gnutls_cipher_algorithm_t gnutls_cipher_get(gnutls_session_t session)
{
	return GNUTLS_CIPHER_UNKNOWN;
}

gnutls_protocol_t gnutls_protocol_get_version(gnutls_session_t session)
{
	return GNUTLS_VERSION_UNKNOWN;
}

void *gnutls_session_get_ptr(gnutls_session_t session)
{
	return NULL;
}

void gnutls_session_set_ptr(gnutls_session_t session, void *ptr)
{
}

void gnutls_transport_set_int2(gnutls_session_t session, int r, int s)
{
}

int gnutls_credentials_set(gnutls_session_t session,
			   gnutls_credentials_type_t type, void *cred)
{
	return NO_TLS;
}

int gnutls_certificate_allocate_credentials(
	gnutls_certificate_credentials_t *res)
{
	return NO_TLS;
}

void gnutls_certificate_free_credentials(gnutls_certificate_credentials_t sc)
{
}

void gnutls_certificate_server_set_request(gnutls_session_t session,
					   gnutls_certificate_request_t req)
{
}

void gnutls_certificate_set_dh_params(gnutls_certificate_credentials_t res,
				      gnutls_dh_params_t dh_params)
{
}

void gnutls_certificate_set_retrieve_function2(
	gnutls_certificate_credentials_t cred,
	gnutls_certificate_retrieve_function2 *func)
{
}

void gnutls_certificate_set_retrieve_function3(
	gnutls_certificate_credentials_t cred,
	gnutls_certificate_retrieve_function3 *func)
{
}

int gnutls_certificate_set_x509_key_mem(gnutls_certificate_credentials_t res,
					const gnutls_datum_t *cert,
					const gnutls_datum_t *key,
					gnutls_x509_crt_fmt_t type)
{
	return NO_TLS;
}

int gnutls_certificate_set_x509_key_mem2(gnutls_certificate_credentials_t res,
					 const gnutls_datum_t *cert,
					 const gnutls_datum_t *key,
					 gnutls_x509_crt_fmt_t type,
					 const char *pass, unsigned int flags)
{
	return NO_TLS;
}

int gnutls_certificate_set_x509_trust_mem(gnutls_certificate_credentials_t res,
					  const gnutls_datum_t *ca,
					  gnutls_x509_crt_fmt_t type)
{
	return NO_TLS;
}

int gnutls_dh_params_init(gnutls_dh_params_t *dh_params)
{
	return NO_TLS;
}

void gnutls_dh_params_deinit(gnutls_dh_params_t dh_params)
{
}

int gnutls_dh_params_import_pkcs3(gnutls_dh_params_t params,
				  const gnutls_datum_t *pkcs3_params,
				  gnutls_x509_crt_fmt_t format)
{
	return NO_TLS;
}

int gnutls_psk_allocate_server_credentials(gnutls_psk_server_credentials_t *sc)
{
	return NO_TLS;
}

void gnutls_psk_free_server_credentials(gnutls_psk_server_credentials_t sc)
{
}

void gnutls_psk_set_server_credentials_function(
	gnutls_psk_server_credentials_t cred,
	gnutls_psk_server_credentials_function *func)
{
}
#endif
