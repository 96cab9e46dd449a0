/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human names for the values of the tandem ABI.
 */
#ifndef TANDEM_NAMES_H
#define TANDEM_NAMES_H

#include <tandem.h>

extern const char *const tandem_feature_names[__TANDEM_FEAT_COUNT];
const char *tandem_vendor_name(unsigned int vendor);

/* Each returns NULL for a value this tool does not know (a newer module). */
const char *tandem_state_name(unsigned int state);
const char *tandem_event_name(unsigned int kind);
const char *tandem_decision_name(unsigned int kind);
const char *tandem_crash_action_name(unsigned int action);
const char *tandem_exit_name(unsigned int reason);
int tandem_state_by_name(const char *name);

#endif /* TANDEM_NAMES_H */
