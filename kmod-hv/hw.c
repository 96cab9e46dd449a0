// SPDX-License-Identifier: GPL-2.0
/*
 * VMX/SVM is switched on, on every online CPU, only while some domain has
 * been started, and off again when the last one is gone: the host (and any
 * other hypervisor) has the CPUs to itself the rest of the time. CPUs that
 * come online meanwhile are enabled by the hotplug callback.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/mutex.h>

#include "tandem_hv.h"

static DEFINE_MUTEX(tandem_hw_lock);
static unsigned int tandem_hw_nr_users;
static int tandem_hw_state;

static int tandem_hw_online(unsigned int cpu)
{
	return tandem_arch->hardware_enable();
}

static int tandem_hw_offline(unsigned int cpu)
{
	tandem_arch->hardware_disable();
	return 0;
}

/**
 * tandem_hw_get() - make sure VMX/SVM is on, on every online CPU
 *
 * Return: 0, -ENODEV when the CPU cannot run domains, -EBUSY when another
 * hypervisor owns VMX/SVM on some CPU (nothing is left enabled then).
 */
int tandem_hw_get(void)
{
	const struct tandem_hw_info *hw = &tandem_hw;
	int ret = 0;

	if (!tandem_arch || !tandem_arch->hardware_enable ||
	    (hw->features & hw->required) != hw->required)
		return -ENODEV;

	mutex_lock(&tandem_hw_lock);
	if (!tandem_hw_nr_users) {
		ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "tandem/hw:online",
					tandem_hw_online, tandem_hw_offline);
		if (ret < 0)
			goto out;
		tandem_hw_state = ret;
		ret = 0;
	}
	tandem_hw_nr_users++;
out:
	mutex_unlock(&tandem_hw_lock);
	return ret;
}

/**
 * tandem_hw_put() - drop a user; the last one switches VMX/SVM off
 */
void tandem_hw_put(void)
{
	mutex_lock(&tandem_hw_lock);
	if (!WARN_ON_ONCE(!tandem_hw_nr_users) && !--tandem_hw_nr_users)
		cpuhp_remove_state(tandem_hw_state);
	mutex_unlock(&tandem_hw_lock);
}

/**
 * tandem_hw_users() - how many users keep VMX/SVM switched on
 *
 * Return: 0 when tandem_hv has it off on every CPU.
 */
u32 tandem_hw_users(void)
{
	u32 n;

	mutex_lock(&tandem_hw_lock);
	n = tandem_hw_nr_users;
	mutex_unlock(&tandem_hw_lock);
	return n;
}
