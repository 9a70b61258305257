/**
 * @file qlwm2m.h
 * @brief Everything: include this one header.
 */
#ifndef QLWM2M_QLWM2M_H
#define QLWM2M_QLWM2M_H

#include "qlwm2m/at.h"
#include "qlwm2m/common.h"
#include "qlwm2m/io.h"
#include "qlwm2m/lwobj.h"
#include "qlwm2m/multi.h"
#include "qlwm2m/neul.h"
#include "qlwm2m/qlwcfg.h"
#include "qlwm2m/session.h"
#include "qlwm2m/store.h"
#include "qlwm2m/transcript.h"

#endif /* QLWM2M_QLWM2M_H */
