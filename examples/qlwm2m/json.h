/* Minimal JSON output for the tool: one object per line on stdout. */
#ifndef QLWM2M_TOOL_JSON_H
#define QLWM2M_TOOL_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Writes s (len bytes) as a JSON string literal, quotes included. */
void json_str(FILE *out, const char *s, size_t len);

#endif
