// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor's device model: a configuration's PCI devices and the
 * questions the rules ask of them.  The loaders (doctor_config.c for
 * command lines, doctor_xml.c for libvirt XML) fill it; nothing here
 * parses.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/doctor.h"

struct dr_dev *dr_add_dev(struct dr_config *c)
{
	struct dr_dev *d;

	if (c->ndevs >= DR_MAX_DEVS)
		return NULL;
	d = realloc(c->devs, (c->ndevs + 1) * sizeof(*d));
	if (!d)
		return NULL;
	c->devs = d;
	d = &c->devs[c->ndevs++];
	memset(d, 0, sizeof(*d));
	d->slot = d->fn = d->port_index = -1;
	return d;
}

void dr_config_free(struct dr_config *c)
{
	for (int i = 0; i < c->ndevs; i++) {
		struct dr_dev *d = &c->devs[i];

		free(d->id);
		free(d->driver);
		free(d->bus);
		free(d->drive);
		free(d->target);
		for (int j = 0; j < d->nprops; j++) {
			free(d->props[j].key);
			free(d->props[j].val);
		}
	}
	free(c->devs);
	free(c->live_note);
	vbt_vm_free(&c->vm);
	free(c->origin);
	free(c->machine);
	free(c->arch);
	memset(c, 0, sizeof(*c));
}

const struct dr_dev *dr_dev_by_id(const struct dr_config *c, const char *id)
{
	for (int i = 0; id && i < c->ndevs; i++)
		if (c->devs[i].id && !strcmp(c->devs[i].id, id))
			return &c->devs[i];
	return NULL;
}

const char *dr_dev_prop(const struct dr_dev *d, const char *key)
{
	for (int i = 0; d && i < d->nprops; i++)
		if (!strcmp(d->props[i].key, key))
			return d->props[i].val;
	return NULL;
}

const struct dr_dev *dr_dev_of_drive(const struct dr_config *c,
				     const struct vbt_drive *d)
{
	const struct dr_dev *dev = dr_dev_by_id(c, d->id);

	if (dev)
		return dev;
	for (int i = 0; i < c->ndevs; i++) {
		const struct dr_dev *x = &c->devs[i];

		if ((x->drive && d->drive && !strcmp(x->drive, d->drive)) ||
		    (x->target && d->target && !strcmp(x->target, d->target)))
			return x;
	}
	return NULL;
}

bool dr_is_pcie_machine(const struct dr_config *c)
{
	const char *m = c->machine;

	if (m && (strstr(m, "q35") || !strncmp(m, "virt", 4)))
		return true;
	for (int i = 0; i < c->ndevs; i++)
		if (c->devs[i].root_port)
			return true;
	/* arm64 has only the PCIe 'virt' machine for KVM guests. */
	return !m && c->arch && !strcmp(c->arch, "aarch64");
}
