/* SPDX-License-Identifier: GPL-2.0 */
/* Small libxml2 helpers for walking libvirt's domain XML. */
#ifndef VBT_XML_UTIL_H
#define VBT_XML_UTIL_H

#include <stdbool.h>

#include <libxml/tree.h>

bool vbt_xml_is(xmlNode *n, const char *name);
/* The first child element called name, or NULL. */
xmlNode *vbt_xml_child(xmlNode *n, const char *name);
/* An attribute, malloc'ed (free with xmlFree), or NULL. */
char *vbt_xml_attr(xmlNode *n, const char *name);
/* The element's text, malloc'ed (free with xmlFree), or NULL. */
char *vbt_xml_text(xmlNode *n);

#endif
