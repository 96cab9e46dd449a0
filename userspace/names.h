/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human names for the values of the tandem ABI.
 */
#ifndef TANDEM_NAMES_H
#define TANDEM_NAMES_H

#include <tandem.h>

extern const char *const tandem_feature_names[__TANDEM_FEAT_COUNT];
const char *tandem_vendor_name(unsigned int vendor);

#endif /* TANDEM_NAMES_H */
