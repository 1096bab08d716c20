// SPDX-License-Identifier: GPL-2.0
/*
 * ICU without its code or data: libxml2 reaches ICU only through the
 * converter functions below (and two callbacks it passes them), for encodings glibc's iconv does not know,
 * and the static link brought ICU's common library (280 kB) and, ICU being
 * C++, libstdc++ (110 kB) for them.  They fail as ICU fails for a
 * converter it has no data for (U_FILE_ACCESS_ERROR), which is what the
 * empty data table below already made of every table-driven encoding;
 * now the algorithmic ones (UTF-7, SCSU, ...) are refused too, with
 * libxml2's "unsupported encoding" error.  libvirt writes UTF-8.
 *
 * The empty ICU data table, in place of libicudata's 31 MiB, stays: it is
 * what the Makefile's -u pulls in, with the converters, ahead of libxml2.
 *
 * Debian builds libxml2 against ICU, so a static link pulls in every ICU
 * conversion table although vblktrace only ever parses UTF-8 XML (libvirt
 * writes UTF-8) and libxml2 handles UTF-8, UTF-16, Latin-1 and ASCII
 * itself, trying glibc's iconv before ICU for anything else.  This is the
 * table ICU's own "stubdata" library provides: a valid header with no
 * entries.  An XML file in an encoding only ICU knows is then refused with
 * libxml2's "unsupported encoding" error instead of being parsed.
 *
 * The symbol carries ICU's major version (icudtNN_dat); the Makefile
 * passes it as VBT_ICU_DATA_SYMBOL.
 */
#include <stdint.h>

#ifdef VBT_ICU_DATA_SYMBOL
#include <unicode/ucnv.h>

UConverter *ucnv_open(const char *converterName, UErrorCode *err)
{
	if (err && U_SUCCESS(*err))
		*err = U_FILE_ACCESS_ERROR;
	return NULL;
}

void ucnv_close(UConverter *converter)
{
}

void ucnv_setToUCallBack(UConverter *converter, UConverterToUCallback newAction,
			 const void *newContext,
			 UConverterToUCallback *oldAction,
			 const void **oldContext, UErrorCode *err)
{
	if (err && U_SUCCESS(*err))
		*err = U_UNSUPPORTED_ERROR;
}

void ucnv_setFromUCallBack(UConverter *converter,
			   UConverterFromUCallback newAction,
			   const void *newContext,
			   UConverterFromUCallback *oldAction,
			   const void **oldContext, UErrorCode *err)
{
	if (err && U_SUCCESS(*err))
		*err = U_UNSUPPORTED_ERROR;
}

/* The callbacks libxml2 hands the converters: never called. */
void UCNV_FROM_U_CALLBACK_STOP(const void *context,
			       UConverterFromUnicodeArgs *fromUArgs,
			       const UChar *codeUnits, int32_t length,
			       UChar32 codePoint,
			       UConverterCallbackReason reason, UErrorCode *err)
{
}

void UCNV_TO_U_CALLBACK_STOP(const void *context,
			     UConverterToUnicodeArgs *toUArgs,
			     const char *codeUnits, int32_t length,
			     UConverterCallbackReason reason, UErrorCode *err)
{
}

void ucnv_convertEx(UConverter *targetCnv, UConverter *sourceCnv,
		    char **target, const char *targetLimit,
		    const char **source, const char *sourceLimit,
		    UChar *pivotStart, UChar **pivotSource,
		    UChar **pivotTarget, const UChar *pivotLimit,
		    UBool reset, UBool flush, UErrorCode *pErrorCode)
{
	if (pErrorCode && U_SUCCESS(*pErrorCode))
		*pErrorCode = U_UNSUPPORTED_ERROR;
}

struct icu_data_header {
	uint16_t header_size;
	uint8_t magic1, magic2;
	struct {
		uint16_t size, reserved;
		uint8_t big_endian, charset_family, size_of_uchar, reserved2;
		uint8_t data_format[4], format_version[4], data_version[4];
	} info;
	uint8_t padding[8];
	uint32_t count, reserved;
	uint32_t toc[4];
};

const struct icu_data_header VBT_ICU_DATA_SYMBOL = {
	.header_size = 32,
	.magic1 = 0xda,
	.magic2 = 0x27,
	.info = {
		.size = 20,
		.big_endian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,
		.charset_family = 0,		/* U_ASCII_FAMILY */
		.size_of_uchar = 2,
		.data_format = { 'T', 'o', 'C', 'P' },
		.format_version = { 1, 0, 0, 0 },
	},
};

#endif
