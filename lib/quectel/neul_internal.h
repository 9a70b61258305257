/* Field helpers shared by the decoders and the typed calls of lib/quectel. */
#ifndef QLW_QUECTEL_NEUL_INTERNAL_H
#define QLW_QUECTEL_NEUL_INTERNAL_H

#include "qlwm2m/at.h"

/*
 * Splits the arguments of "<name>:<args>" (one optional space after the
 * colon) into 1..max fields. QLW_ERR_ARG for a NULL line; QLW_ERR_PARSE for
 * another name, no arguments, bad quoting or more than max fields.
 */
int qlw_neul_split(const char *line, size_t len, const char *name, qlw_at_field *f, size_t max,
                   size_t *count);

/* An unquoted, unsigned decimal field in [min, max], else QLW_ERR_PARSE. */
int qlw_neul_dec_int(const qlw_at_field *f, long min, long max, int *out);

/*
 * The answer to AT+CSQ, "+CSQ:<rssi>,<ber>": *rssi_dbm is 2 * rssi - 113, or 0
 * when the module does not know (99). QLW_ERR_PARSE for anything else (rssi
 * 32..98, ber 8..98, another name, fields missing).
 */
int qlw_neul_parse_csq(const char *line, size_t len, int *rssi_dbm);

#endif
