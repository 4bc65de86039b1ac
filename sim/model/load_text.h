/* Text helpers shared by the CSV readers of load traces (load.c) and
 * request arrival logs (requests.c). */
#ifndef ECSIM_LOAD_TEXT_H
#define ECSIM_LOAD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Strict decimal syntax of the `len` bytes at `s`:
 * [+-]digits[.digits][e[+-]digits] (or .digits) — no inf, nan, hex or
 * locale separators. */
bool load_decimal_syntax(const char *s, size_t len);

#endif
