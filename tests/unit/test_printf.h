/* The printf format attribute of the tests' own logging helpers. */
#ifndef QLWM2M_TEST_PRINTF_H
#define QLWM2M_TEST_PRINTF_H

/* mingw-w64 builds use its C99 printf (__USE_MINGW_ANSI_STDIO), not the C runtime's. */
#if defined(__MINGW32__)
#define TEST_PRINTF(fmt_arg, first_arg) __attribute__((format(gnu_printf, fmt_arg, first_arg)))
#else
#define TEST_PRINTF(fmt_arg, first_arg) __attribute__((format(printf, fmt_arg, first_arg)))
#endif

#endif
