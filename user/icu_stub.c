// SPDX-License-Identifier: GPL-2.0
/*
 * An empty ICU data table, in place of libicudata's 31 MiB.
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
