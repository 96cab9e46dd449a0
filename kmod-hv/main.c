// SPDX-License-Identifier: GPL-2.0
/*
 * tandem_hv.ko: the mechanism half of the Tandem hypervisor.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "tandem_hv.h"

static int __init tandem_hv_init(void)
{
	int err;

	err = tandem_arch_init();
	if (err)
		return err;

	if (tandem_arch && tandem_arch->init) {
		err = tandem_arch->init();
		if (err)
			return err;
	}

	err = tandem_agent_init();
	if (err)
		goto err_arch;

	err = tandem_genl_init();
	if (err) {
		pr_err("cannot register the generic netlink family: %d\n", err);
		goto err_agent;
	}
	pr_info("loaded, version %s, ABI %u\n", TANDEM_MODULE_VERSION,
		TANDEM_ABI_VERSION);
	return 0;

err_agent:
	tandem_agent_exit();
err_arch:
	if (tandem_arch && tandem_arch->exit)
		tandem_arch->exit();
	return err;
}

static void __exit tandem_hv_exit(void)
{
	/* No request runs after this; then fail what is still pending. */
	tandem_genl_exit();
	tandem_agent_exit();
	tandem_domains_destroy_all();
	if (tandem_arch && tandem_arch->exit)
		tandem_arch->exit();
	pr_info("unloaded\n");
}

module_init(tandem_hv_init);
module_exit(tandem_hv_exit);

MODULE_DESCRIPTION("Tandem hypervisor: VMX/SVM mechanism and device backends");
MODULE_AUTHOR("Tandem developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(TANDEM_MODULE_VERSION);
