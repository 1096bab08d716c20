// SPDX-License-Identifier: GPL-2.0
/* Small libxml2 helpers for walking libvirt's domain XML. */
#include "util/xml_util.h"

bool vbt_xml_is(xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       !xmlStrcmp(n->name, (const xmlChar *)name);
}

xmlNode *vbt_xml_child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (vbt_xml_is(c, name))
			return c;
	return NULL;
}

char *vbt_xml_attr(xmlNode *n, const char *name)
{
	return n ? (char *)xmlGetProp(n, (const xmlChar *)name) : NULL;
}

char *vbt_xml_text(xmlNode *n)
{
	return n ? (char *)xmlNodeGetContent(n) : NULL;
}
