// SPDX-License-Identifier: GPL-2.0
/*
 * What libxml2's parser would pull into the static binary and vblktrace
 * never runs: XPath, XML Schemas, RELAX NG, the XML reader and XInclude
 * behind them, catalogs, and fetching documents over HTTP and FTP (about
 * 700 kB).  vblktrace only parses libvirt's XML from memory into a tree
 * (xmlReadMemory) and writes one back (xmlDocDumpMemory); the parser
 * refers to those modules only to initialise and clean them up, to look
 * up external entities in catalogs and to open http:// and ftp:// URLs.
 * Here they are absent: no catalog is ever consulted
 * (XML_CATA_ALLOW_NONE), a URL is never opened (NULL, -1), and the set-up
 * and clean-up calls have nothing to do.  For hostile XML that is the
 * behaviour wanted anyway: no network, no files named by the document.
 *
 * Static build only (the Makefile defines VBT_XML_TREE_ONLY and links
 * this object with -u vbt_xml_tree_only before libxml2): in a dynamic
 * build these would interpose on the real libxml2.  A symbol the parser
 * needs and this file lacks pulls the module back in and fails the link
 * with a duplicate definition, never silently.
 */
#ifdef VBT_XML_TREE_ONLY
#include <stddef.h>

#include <libxml/catalog.h>
#include <libxml/nanoftp.h>
#include <libxml/nanohttp.h>
#include <libxml/relaxng.h>
#include <libxml/xmlschemastypes.h>
#include <libxml/xpath.h>

const int vbt_xml_tree_only = 1;

void xmlXPathInit(void)
{
}

void xmlSchemaCleanupTypes(void)
{
}

void xmlRelaxNGCleanupTypes(void)
{
}

void xmlCatalogCleanup(void)
{
}

xmlCatalogAllow xmlCatalogGetDefaults(void)
{
	return XML_CATA_ALLOW_NONE;
}

void *xmlCatalogAddLocal(void *catalogs, const xmlChar *URL)
{
	return catalogs;
}

void xmlCatalogFreeLocal(void *catalogs)
{
}

xmlChar *xmlCatalogResolve(const xmlChar *pubID, const xmlChar *sysID)
{
	return NULL;
}

xmlChar *xmlCatalogResolveURI(const xmlChar *URI)
{
	return NULL;
}

xmlChar *xmlCatalogLocalResolve(void *catalogs, const xmlChar *pubID,
				const xmlChar *sysID)
{
	return NULL;
}

xmlChar *xmlCatalogLocalResolveURI(void *catalogs, const xmlChar *URI)
{
	return NULL;
}

void *xmlNanoHTTPOpen(const char *URL, char **contentType)
{
	return NULL;
}

void *xmlNanoHTTPMethod(const char *URL, const char *method,
			const char *input, char **contentType,
			const char *headers, int ilen)
{
	return NULL;
}

int xmlNanoHTTPRead(void *ctx, void *dest, int len)
{
	return -1;
}

int xmlNanoHTTPReturnCode(void *ctx)
{
	return -1;
}

const char *xmlNanoHTTPMimeType(void *ctx)
{
	return NULL;
}

const char *xmlNanoHTTPEncoding(void *ctx)
{
	return NULL;
}

const char *xmlNanoHTTPRedir(void *ctx)
{
	return NULL;
}

void xmlNanoHTTPClose(void *ctx)
{
}

void *xmlNanoFTPOpen(const char *URL)
{
	return NULL;
}

int xmlNanoFTPRead(void *ctx, void *dest, int len)
{
	return -1;
}

int xmlNanoFTPClose(void *ctx)
{
	return -1;
}
#endif
