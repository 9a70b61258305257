/* The library's printf-like functions tell the compiler their formats. One
 * definition for every layer (private to lib/). */
#ifndef QLW_PRINTF_H
#define QLW_PRINTF_H

#if defined(__MINGW32__)
/* mingw-w64 builds use its C99 printf (__USE_MINGW_ANSI_STDIO), not the C runtime's. */
#define QLW_PRINTF(fmt_arg, first_arg) __attribute__((format(gnu_printf, fmt_arg, first_arg)))
#elif defined(__GNUC__) || defined(__clang__)
#define QLW_PRINTF(fmt_arg, first_arg) __attribute__((format(printf, fmt_arg, first_arg)))
#else
#define QLW_PRINTF(fmt_arg, first_arg)
#endif

#endif
